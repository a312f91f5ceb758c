import NIOSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension GlobalOptions {
    /// The TLS configuration the flags and $ZK_TLS, $ZK_TLS_CA, $ZK_TLS_CERT, $ZK_TLS_KEY ask
    /// for, with every file read now (so a bad one is reported before connecting); nil for plain TCP.
    func tlsConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> TLSConfiguration?
    {
        let ca = tlsCA ?? environment[ConnectionEnvironment.tlsCA]
        let certificate = tlsCertificate ?? environment[ConnectionEnvironment.tlsCertificate]
        let key = tlsKey ?? environment[ConnectionEnvironment.tlsKey]
        let requested =
            environment[ConnectionEnvironment.tls].map { !["", "0", "false", "no"].contains($0.lowercased()) } ?? false
        guard tls || requested || ca != nil || certificate != nil || insecureSkipTLSVerify else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca {
            configuration.trustRoots = .certificates(
                try Self.read(ca, "CA certificates", NIOSSLCertificate.fromPEMFile))
        }
        switch (certificate, key) {
        case (let certificate?, let key?):
            configuration.certificateChain = try Self.read(
                certificate, "client certificate", NIOSSLCertificate.fromPEMFile
            )
            .map { .certificate($0) }
            configuration.privateKey = .privateKey(
                try Self.read(key, "private key") { try NIOSSLPrivateKey(file: $0, format: .pem) })
        case (nil, nil):
            break
        default:
            throw ShellError("a TLS client certificate needs both --tls-cert and --tls-key", status: ExitStatus.usage)
        }
        if insecureSkipTLSVerify { configuration.certificateVerification = .none }
        return configuration
    }

    private static func read<T>(_ path: String, _ what: String, _ load: (String) throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ShellError("cannot read the \(what) file \(path)", status: ExitStatus.usage)
        }
        do {
            let value = try load(path)
            if let list = value as? [Any], list.isEmpty { throw ShellError("no PEM data") }
            return value
        } catch {
            throw ShellError("\(path) holds no usable PEM \(what): \(error)", status: ExitStatus.usage)
        }
    }
}
