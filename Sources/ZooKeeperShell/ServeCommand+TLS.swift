import NIOSSL

extension ServeCommand {
    /// The TLS configuration of --secure-port, its files read now; nil without it.
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard let tlsCertificate, let tlsKey else { return nil }
        let chain = try Self.load(tlsCertificate, "certificate") { try NIOSSLCertificate.fromPEMFile($0) }
        let key = try Self.load(tlsKey, "private key") { try NIOSSLPrivateKey(file: $0, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let tlsCA {
            configuration.trustRoots = .certificates(
                try Self.load(tlsCA, "CA certificates") { try NIOSSLCertificate.fromPEMFile($0) })
            configuration.certificateVerification =
                tlsClientAuth == "need" ? .noHostnameVerification : .optionalVerification
        }
        return configuration
    }

    private static func load<T>(_ path: String, _ what: String, _ read: (String) throws -> T) throws -> T {
        do {
            let value = try read(path)
            if let list = value as? [Any], list.isEmpty { throw ShellError("no PEM data") }
            return value
        } catch {
            throw ShellError("cannot use \(path) as the TLS \(what): it is missing or holds no usable PEM data")
        }
    }
}
