/// A host name that cannot resolve, and fails to without asking anyone: it is under the reserved
/// `.invalid` domain, and its first label is 64 characters, one more than DNS allows, so glibc's
/// resolver cannot even encode a query and fails at once (checked with strace: no packet to the
/// name server). A plain `nosuchhost.invalid` would be sent to the configured name server.
public let unresolvableHost = String(repeating: "a", count: 64) + ".invalid"
