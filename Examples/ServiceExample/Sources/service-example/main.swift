// service-example CONNECT_STRING PORT INSTANCE_ID: runs the greeter service (see GreeterService)
// until SIGTERM or SIGINT.
import Glibc
import Logging
import ServiceExample
import ServiceLifecycle

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 3, let port = Int(arguments[arguments.startIndex + 1]) else {
    let usage = "usage: service-example CONNECT_STRING PORT INSTANCE_ID\n"
    _ = write(2, usage, usage.utf8.count)
    exit(64)
}
let logger = Logger(label: "greeter")
let greeter = try GreeterService(
    options: .init(connectString: arguments.first!, port: port, instanceID: arguments.last!), logger: logger)
let group = ServiceGroup(
    services: greeter.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
try await group.run()
