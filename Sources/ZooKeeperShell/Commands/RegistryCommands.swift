import ArgumentParser
import ZooKeeper
import ZooKeeperRecipes

struct RegisterCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Keep a service instance registered while a command runs; exit with its status.",
        discussion: """
            Registers ENDPOINT (HOST[:PORT]) as an instance of SERVICE: an ephemeral node
            BASE/SERVICE/ID holding the instance as JSON. It stays while COMMAND runs (and is
            registered again after a session expiry), and goes when COMMAND exits or this process
            dies (once its session times out).
            Example: zk register api 10.0.0.5:8080 --data '{"version":"2"}' -- ./server
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The instance's id (default: a random UUID).") var id: String?
    @Option(name: .long, help: "Metadata as a JSON object, e.g. '{\"zone\":\"a\"}'.") var data: String?
    @Option(name: .long, help: "The registry's base node.") var base = "/services"
    @Argument(help: "The service's name.") var service: String
    @Argument(help: "HOST[:PORT] of this instance.") var endpoint: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String]

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --") }
        _ = try Endpoint(endpoint)
        _ = try payload()
        if let id, id.isEmpty || id.contains("/") { throw ValidationError("--id cannot be empty or contain '/'") }
        if service.isEmpty || service.contains("/") { throw ValidationError("the service name cannot contain '/'") }
    }

    /// --data as string metadata: numbers become their text.
    func payload() throws -> [String: String] {
        guard let data else { return [:] }
        guard let object = try? JSONText.decode(data.utf8) as? [String: Any] else {
            throw ValidationError("--data takes a JSON object, e.g. '{\"zone\":\"a\"}'")
        }
        return try object.mapValues { value in
            switch value {
            case let text as String: return text
            case let number as Int: return "\(number)"
            case let number as Double: return "\(number)"
            default: throw ValidationError("--data values must be strings or numbers")
            }
        }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let endpoint = try Endpoint(endpoint)
        let registry = ServiceRegistry(client: zk, basePath: shell.resolve(base))
        let registration = try await registry.register(
            ServiceInstance(name: service, address: endpoint.host, port: endpoint.port, id: id, payload: try payload()))
        let status: Int32
        do {
            status = try await ChildCommand.run(command)
        } catch {
            try? await registration.unregister()
            throw error
        }
        try await registration.unregister()
        if status != 0 { throw ExitCode(status) }
    }

    /// HOST, HOST:PORT or [IPV6]:PORT.
    struct Endpoint {
        var host: String
        var port: Int?

        init(_ text: String) throws {
            var host = Substring(text)
            var portText: Substring?
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                if !rest.isEmpty {
                    guard rest.first == ":" else { throw ValidationError("bad endpoint '\(text)': use [HOST]:PORT") }
                    portText = rest.dropFirst()
                }
            } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard !host.isEmpty else { throw ValidationError("bad endpoint '\(text)': no host") }
            self.host = String(host)
            if let portText {
                guard let port = Int(portText), (1...65535).contains(port) else {
                    throw ValidationError("bad endpoint '\(text)': the port must be 1 to 65535")
                }
                self.port = port
            }
        }
    }
}

struct ServicesCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "List a service's live instances (id, endpoint, metadata), or the services; --watch follows changes.",
        discussion: """
            Without SERVICE, prints the registered service names. With --watch, prints the instances,
            then '+ ' and '- ' lines as instances come and go, until interrupted; with --json, one
            JSON array of instances (per change, with --watch).
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The registry's base node.") var base = "/services"
    @Flag(name: .long, help: "Keep printing changes of the set of instances.") var watch = false
    @Argument(help: "The service's name.") var service: String?

    func validate() throws {
        if watch && service == nil { throw ValidationError("--watch needs a service name") }
    }

    func run(in shell: ShellContext) async throws {
        let registry = ServiceRegistry(client: try await shell.zk(), basePath: shell.resolve(base))
        guard let service else {
            let names = try await registry.services()
            return shell.json ? shell.output.json(names) : names.forEach { shell.output.line($0) }
        }
        guard watch else {
            return try print(try await registry.instances(of: service), in: shell)
        }
        var shown: [ServiceInstance] = []
        for try await snapshot in registry.updates(of: service) {
            if shell.json {
                try print(snapshot, in: shell)
                continue
            }
            let before = Set(shown)
            let after = Set(snapshot)
            for gone in shown where !after.contains(gone) { shell.output.line("- " + Self.line(gone)) }
            for new in snapshot where !before.contains(new) { shell.output.line("+ " + Self.line(new)) }
            shown = snapshot
        }
    }

    private func print(_ instances: [ServiceInstance], in shell: ShellContext) throws {
        guard shell.json else { return instances.forEach { shell.output.line(Self.line($0)) } }
        shell.output.json(try instances.map { try JSONText.decode($0.encoded()) })
    }

    /// `ID<TAB>ENDPOINT[<TAB>key=value,...]`.
    static func line(_ instance: ServiceInstance) -> String {
        let metadata = instance.payload.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return ([instance.id, instance.endpoint] + (metadata.isEmpty ? [] : [metadata.joined(separator: ",")]))
            .joined(separator: "\t")
    }
}
