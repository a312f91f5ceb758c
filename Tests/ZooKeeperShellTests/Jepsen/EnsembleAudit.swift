import Foundation
import ZooKeeperServer
import ZooKeeperTestSupport

/// The members' own account of a run, read at its end: their transaction logs must agree on every
/// zxid that more than one of them logged, and no member may have counted a digest mismatch
/// (Apache 3.6 and later compare their tree's digest after each transaction with the digest the
/// leader logged with it). A disagreement is the ensemble's doing, whatever the clients did: it
/// tells an anomaly of the servers from one of the client.
struct EnsembleAudit {
    /// One line per disagreement; empty when the members agree.
    var findings: [String] = []
    /// Logs this test's reader could not read: a defect of ours, not evidence against the members.
    var unreadable: [String] = []
    /// Transactions read, by member.
    var transactions: [Int: Int] = [:]
    /// The members whose digest mismatch counter was read (a member that does not answer `mntr`
    /// at the end is left out, and the summary says so).
    var countersRead: [Int] = []
    /// The members' version, as `mntr` gives it (`zk_version`).
    var serverVersion = "(version unknown)"

    /// Reads every member's counters and logs (the members keep running).
    static func run(_ ensemble: NamespacedEnsemble) async -> EnsembleAudit {
        var audit = EnsembleAudit()
        var logged: [Int64: [Int: TxnLogRecord]] = [:]
        for id in 1...ensemble.size {
            let mntr = await ensemble.fourLetterWord("mntr", to: id).map(values) ?? [:]
            if let version = mntr["zk_version"] { audit.serverVersion = version }
            if let count = mntr["zk_digest_mismatches_count"].flatMap({ Int($0) }) {
                audit.countersRead.append(id)
                if count > 0 {
                    let first = ensemble.logLines(of: id, containing: "Digests are not matching").first
                    audit.findings.append(
                        "member \(id) counted \(count) digest mismatches: its tree differs from the leader's"
                            + (first.map { " (first logged: \($0))" } ?? ""))
                }
            }
            do {
                for file in try DataDirectory(ensemble.dataDirectory(of: id).path).logs {
                    for (_, record) in try DataDirectory.readLog(file.path).records {
                        audit.transactions[id, default: 0] += 1
                        if let earlier = logged[record.zxid]?[id], earlier != record {
                            audit.findings.append(
                                "member \(id) logged zxid \(hex(record.zxid)) twice: \(describe(earlier)), "
                                    + "then \(describe(record))")
                        }
                        logged[record.zxid, default: [:]][id] = record
                    }
                }
            } catch {
                audit.unreadable.append("member \(id)'s transaction logs could not be read: \(error)")
            }
        }
        for zxid in logged.keys.sorted() {
            let records = logged[zxid]!
            guard Set(records.values).count > 1 else { continue }
            let versions = records.keys.sorted().map { "member \($0): \(describe(records[$0]!))" }
            audit.findings.append(
                "members logged different transactions at zxid \(hex(zxid)): " + versions.joined(separator: "; "))
        }
        return audit
    }

    /// One line for the run's summary.
    var summary: String {
        let total = transactions.keys.sorted().map { "member \($0): \(transactions[$0]!)" }.joined(separator: ", ")
        guard findings.isEmpty else {
            return "ensemble audit: \(findings.count) disagreements among the members (transactions \(total))"
        }
        return "ensemble audit: the members' logs agree (transactions \(total)); no digest mismatch counted by "
            + "members \(countersRead.map(String.init).joined(separator: ", "))"
    }

    /// The keys and values of an `mntr` answer.
    private static func values(_ mntr: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in mntr.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    private static func describe(_ record: TxnLogRecord) -> String {
        "\(record.transaction.type) \(record.transaction.path ?? "-") (session \(hex(record.session)), cxid \(record.cxid))"
    }

    private static func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }
}
