import ArgumentParser
import ZooKeeperServer

/// `zk txnlog --verify`: checksums, continuity and file names of a data directory's logs.
enum TxnLogVerification {
    static func run(_ files: [DataDirectory.File], output: Output, json: Bool) throws {
        var problems: [String] = []
        var count = 0
        var first: Int64?
        var previous: Int64?
        for (index, file) in files.enumerated() {
            let log: TxnLogFile
            do {
                log = try DataDirectory.readLog(file.path)
            } catch {
                problems.append("\(error)")
                continue
            }
            if let zxid = log.records.first?.record.zxid, file.zxid >= 0, zxid != file.zxid {
                problems.append(
                    "\(file.path): named for zxid \(Formatting.hex(file.zxid)) but starts at \(Formatting.hex(zxid))")
            }
            for (offset, record) in log.records {
                if let previous, !follows(record.zxid, previous) {
                    problems.append(
                        "\(file.path): zxid \(Formatting.hex(record.zxid)) at byte \(offset) does not follow \(Formatting.hex(previous))"
                    )
                }
                previous = record.zxid
                first = first ?? record.zxid
                count += 1
            }
            switch log.end {
            case .clean:
                break
            case .torn(let offset, let reason) where index == files.count - 1:
                output.error(
                    "zk: \(file.path): a torn tail at byte \(offset) (\(reason)), as a crash while writing leaves")
            case .torn(let offset, let reason):
                problems.append("\(file.path): torn at byte \(offset) (\(reason)) and newer logs follow")
            case .corrupt(let offset, let reason):
                problems.append("\(file.path): damaged at byte \(offset): \(reason)")
            }
        }
        let range = first.map { "zxids \(Formatting.hex($0))-\(Formatting.hex(previous!))" } ?? "no transactions"
        if json {
            output.json(["ok": problems.isEmpty, "logs": files.count, "transactions": count, "problems": problems])
        } else {
            problems.forEach(output.line)
            if problems.isEmpty { output.line("ok: \(files.count) logs, \(count) transactions, \(range)") }
        }
        if !problems.isEmpty { throw ExitCode(ExitStatus.failure) }
    }

    /// Whether `zxid` may come right after `previous`: the next counter of the same epoch, or the
    /// first of a later epoch (its counter restarting).
    static func follows(_ zxid: Int64, _ previous: Int64) -> Bool {
        zxid == previous + 1 || (zxid >> 32 > previous >> 32 && zxid & 0xFFFF_FFFF <= 1)
    }
}
