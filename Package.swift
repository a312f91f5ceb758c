// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-zookeeper",
    // Linux only: zk and the server use Linux interfaces (/proc/self, waitid, SOCK_CLOEXEC and
    // MSG_NOSIGNAL, Glibc-only imports), and it is built and tested on Linux alone. No other
    // platform is declared because none is supported; see README.md, "Platforms".
    products: [
        .library(name: "ZooKeeperProtocol", targets: ["ZooKeeperProtocol"]),
        .library(name: "ZooKeeper", targets: ["ZooKeeper"]),
        .library(name: "ZooKeeperServer", targets: ["ZooKeeperServer"]),
        .library(name: "ZooKeeperRecipes", targets: ["ZooKeeperRecipes"]),
        .executable(name: "zk", targets: ["zk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.36.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Only for `make docs` (swift package generate-documentation); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .target(
            name: "ZooKeeperProtocol",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // SASL mechanisms (DIGEST-MD5 client and server) and the JAAS file parser: pure logic, no I/O.
        .target(
            name: "ZooKeeperSASL",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The system's Kerberos GSS-API (headers from libkrb5-dev), loaded at run time by GSSAPI logins.
        .target(name: "CGSSAPI"),
        .target(
            name: "ZooKeeper",
            dependencies: [
                "CGSSAPI",
                "ZooKeeperProtocol",
                "ZooKeeperSASL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // zlib, for the gzip-compressed snapshots Apache ZooKeeper writes (`.gz`).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The processor's prefetch hint, for the index lookups of a snapshot's restore.
        .systemLibrary(name: "CPrefetch"),
        // Adler-32 with AVX2, for the checksums of snapshots (190 MB at a million nodes).
        .target(name: "CAdler32"),
        .target(
            name: "ZooKeeperServer",
            dependencies: [
                "CAdler32",
                "CPrefetch",
                "CZlib",
                "ZooKeeperProtocol",
                "ZooKeeperSASL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ZooKeeperRecipes",
            dependencies: [
                "ZooKeeper",
                "ZooKeeperProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Process and terminal plumbing shared by zk and the test support: starting programs
        // (ChildProcess), blocking work on threads of its own, whole reads and writes on file
        // descriptors, termination signals. Internal: no product exports it.
        .target(
            name: "ProcessSupport",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // glibc's allocator settings, which zk serve sets for itself (see ServeCommand).
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(
            name: "ZooKeeperShell",
            dependencies: [
                "CEditLine",
                "CMalloc",
                "ProcessSupport",
                "ZooKeeper",
                "ZooKeeperSASL",
                "ZooKeeperRecipes",
                "ZooKeeperServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "zk",
            dependencies: ["ZooKeeperShell"]
        ),
        // make bench's figures for the costs of metrics, tracing and the shell's JSON writing.
        .executableTarget(
            name: "ZooKeeperMicrobench",
            dependencies: [
                "ZooKeeper",
                "ZooKeeperServer",
                "ZooKeeperShell",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "bench/Microbench"
        ),
        .target(
            name: "ZooKeeperTestSupport",
            dependencies: [
                "ProcessSupport",
                "ZooKeeper",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/ZooKeeperTestSupport"
        ),
        .testTarget(
            name: "ZooKeeperSASLTests",
            dependencies: ["ZooKeeperSASL"]
        ),
        .testTarget(
            name: "ZooKeeperProtocolTests",
            dependencies: [
                "ZooKeeperProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ZooKeeperTests",
            dependencies: [
                "ZooKeeper",
                "ZooKeeperTestSupport",
                "ZooKeeperProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ZooKeeperServerTests",
            dependencies: [
                "ZooKeeperServer",
                "ZooKeeperTestSupport",
                "ZooKeeper",
                "ZooKeeperProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // Data directories written by Apache ZooKeeper 3.8, read by path.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ZooKeeperShellTests",
            dependencies: [
                "ZooKeeper",
                "ZooKeeperRecipes",
                "ZooKeeperServer",
                "ZooKeeperShell",
                "ZooKeeperTestSupport",
            ]
        ),
        .testTarget(
            name: "ZooKeeperRecipesTests",
            dependencies: [
                "ZooKeeperRecipes",
                "ZooKeeper",
                "ZooKeeperServer",
                "ZooKeeperTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
