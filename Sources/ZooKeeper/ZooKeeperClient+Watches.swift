import ZooKeeperProtocol

extension ZooKeeperClient {
    /// Reads a node's data and sets a one-shot watch that fires on its next change or deletion.
    public func watchData(_ path: String) async throws -> WatchedData {
        let server = try serverPath(path)
        let (watch, id) = try await makeWatch(oneShot: true)
        do {
            let response = try await execute(
                GetDataRequest(path: server, watch: true), path: path,
                watch: WatchRegistration(kind: .data, path: server, watcher: id, existsWatch: false))
            return WatchedData(data: response.data ?? [], stat: response.stat, watch: watch)
        } catch {
            _ = try? await core.removeWatcher(id).get()
            throw error
        }
    }

    /// Reads a node's stat (nil when missing) and sets a one-shot watch that fires when it is
    /// created, changed or deleted. The watch is set even when the node does not exist.
    public func watchExists(_ path: String) async throws -> WatchedStat {
        let server = try serverPath(path)
        let (watch, id) = try await makeWatch(oneShot: true)
        do {
            let response = try await execute(
                ExistsRequest(path: server, watch: true), path: path,
                watch: WatchRegistration(kind: .data, path: server, watcher: id, existsWatch: true))
            return WatchedStat(stat: response.stat, watch: watch)
        } catch let error as ZooKeeperError where error.code == .noNode {
            return WatchedStat(stat: nil, watch: watch)
        } catch {
            _ = try? await core.removeWatcher(id).get()
            throw error
        }
    }

    /// Lists a node's children and sets a one-shot watch that fires when a child is added or
    /// removed, or the node is deleted.
    public func watchChildren(_ path: String) async throws -> WatchedChildren {
        let server = try serverPath(path)
        let (watch, id) = try await makeWatch(oneShot: true)
        do {
            let response = try await execute(
                GetChildren2Request(path: server, watch: true), path: path,
                watch: WatchRegistration(kind: .child, path: server, watcher: id, existsWatch: false))
            return WatchedChildren(children: response.children, stat: response.stat, watch: watch)
        } catch {
            _ = try? await core.removeWatcher(id).get()
            throw error
        }
    }

    /// Adds a persistent watch (3.6+): `.persistent` reports every change of the node (created,
    /// deleted, data, children); `.persistentRecursive` reports creations, deletions and data
    /// changes of the node and all its descendants. It stays until removed or the session ends.
    public func addWatch(_ path: String, mode: AddWatchMode) async throws -> ZooKeeperWatch {
        let server = try serverPath(path)
        let (watch, id) = try await makeWatch(oneShot: false)
        let kind: WatchRegistry.Kind = mode == .persistentRecursive ? .persistentRecursive : .persistent
        do {
            _ = try await execute(
                AddWatchRequest(path: server, mode: mode), path: path,
                watch: WatchRegistration(kind: kind, path: server, watcher: id, existsWatch: false))
            return watch
        } catch {
            _ = try? await core.removeWatcher(id).get()
            throw error
        }
    }

    /// Removes this connection's watches of `type` on a node, on the server and locally; the
    /// affected watch sequences end. Throws `.noWatcher` when the server had none.
    ///
    /// The types `.persistent` and `.persistentRecursive` need ZooKeeper 3.9; 3.8 answers them
    /// with MarshallingError, and `.any` removes persistent watches there.
    ///
    /// - Parameters:
    ///   - path: the watched node.
    ///   - type: which watches: data, children, persistent, persistent recursive, or any.
    ///   - locally: when the server cannot be reached (connection loss, no reply), remove the
    ///     watches locally anyway instead of failing; the server drops them with the session.
    public func removeWatches(_ path: String, type: WatcherType = .any, locally: Bool = false) async throws {
        let server = try serverPath(path)
        do {
            _ = try await execute(RemoveWatchesRequest(path: server, type: type), path: path)
        } catch let error as ZooKeeperError where locally && [.connectionLoss, .operationTimeout].contains(error.code) {
            // Removed here only; a reconnect no longer re-registers them.
        }
        core.watchesRemoved(serverPath: server, type: type)
    }

    /// Whether the server holds a watch of `type` for this connection on the node (the persistent
    /// types need ZooKeeper 3.9, as for `removeWatches`).
    public func checkWatches(_ path: String, type: WatcherType = .any) async throws -> Bool {
        do {
            _ = try await execute(CheckWatchesRequest(path: try serverPath(path), type: type), path: path)
            return true
        } catch let error as ZooKeeperError where error.code == .noWatcher {
            return false
        }
    }

    /// removeWatches for a server path; a watch already gone (fired, or dropped with a
    /// reconnect) is not an error here.
    private func removeOnServer(_ serverPath: String, type: WatcherType) async throws {
        do {
            _ = try await execute(RemoveWatchesRequest(path: serverPath, type: type), path: clientPath(serverPath))
        } catch let error as ZooKeeperError where error.code == .noWatcher {
            return
        }
    }

    private func makeWatch(oneShot: Bool) async throws -> (ZooKeeperWatch, WatcherID) {
        let (stream, continuation) = AsyncThrowingStream<WatchedEvent, Error>.makeStream()
        let id = try await core.addSink(oneShot ? .oneShot(continuation) : .persistent(continuation)).get()
        let core = self.core
        let remove: @Sendable () async throws -> Void = { [weak self] in
            let emptied = try await core.removeWatcher(id).get()
            guard let self else { return }
            for registration in emptied {
                let type: WatcherType =
                    switch registration.kind {
                    case .data, .exist: .data
                    case .child: .children
                    case .persistent: .persistent
                    case .persistentRecursive: .persistentRecursive
                    }
                // Another kind may still need the server's watch on this path (exist and data
                // share one server table): keep it then.
                let stillNeeded = try await core.hasLocalWatch(
                    type == .data ? [.data, .exist] : [registration.kind], serverPath: registration.path
                ).get()
                guard !stillNeeded else { continue }
                do {
                    try await self.removeOnServer(registration.path, type: type)
                } catch let error as ZooKeeperError
                    where error.code == .marshallingError && (type == .persistent || type == .persistentRecursive)
                {
                    // Servers before 3.9 know only children, data and any: remove with `any`
                    // unless another local watch still needs the path.
                    let others = try await core.hasLocalWatch(
                        WatchRegistry.Kind.allCases, serverPath: registration.path
                    ).get()
                    if !others { try await self.removeOnServer(registration.path, type: .any) }
                }
            }
        }
        return (ZooKeeperWatch(stream: stream, remover: remove), id)
    }
}
