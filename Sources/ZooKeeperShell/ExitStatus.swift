import ArgumentParser
import ProcessSupport
import ZooKeeper
import ZooKeeperRecipes

/// The documented exit statuses of `zk`.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Any failure without a status of its own.
    public static let failure: Int32 = 1
    public static let noNode: Int32 = 2
    public static let nodeExists: Int32 = 3
    public static let badVersion: Int32 = 4
    public static let notEmpty: Int32 = 5
    /// NoAuth, AuthFailed or InvalidACL.
    public static let notAuthorized: Int32 = 6
    /// No server reachable, connection lost, session expired or a timeout.
    public static let connection: Int32 = 7
    /// A command run under a lock or leadership was stopped: the session could have expired
    /// and another process taken over.
    public static let ownershipLost: Int32 = 8
    /// `--wait` passed before what was waited for came (`lock`, `barrier`, `queue take`): zk
    /// gave up waiting and withdrew what it had queued.
    public static let gaveUp: Int32 = 9
    /// Bad command line (sysexits' EX_USAGE, as swift-argument-parser uses).
    public static let usage: Int32 = 64
    /// Interrupted by Ctrl-C: 128 + SIGINT, as for a process that SIGINT ended (a command in the
    /// interactive shell, which goes on).
    public static let interrupted: Int32 = 130
    /// A program zk was to run could not be started (as sh reports a command it cannot run).
    static let cannotRun: Int32 = 127

    /// The status for an error of a command.
    static func code(for error: any Error) -> Int32 {
        guard let error = error as? ZooKeeperError else {
            if let exit = error as? ExitCode { return exit.rawValue }
            if let shellError = error as? ShellError { return shellError.status }
            if error is ChildProcess.CannotStart { return cannotRun }
            if error is OwnershipLost { return ownershipLost }
            if error is RecipeTimeout { return gaveUp }
            return failure
        }
        switch error.code {
        case .noNode: return noNode
        case .nodeExists: return nodeExists
        case .badVersion: return badVersion
        case .notEmpty: return notEmpty
        case .noAuth, .authFailed, .invalidACL, .sessionClosedRequireSaslAuth: return notAuthorized
        case .connectionLoss, .connectFailed, .sessionExpired, .operationTimeout, .clientClosed, .requestTimeout:
            return connection
        case .badArguments: return usage
        default: return failure
        }
    }
}
