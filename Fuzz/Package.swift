// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets, built apart from the main package because every module they use must be
// compiled with -sanitize=fuzzer: `make fuzz-libfuzzer` builds and runs them.
let package = Package(
    name: "swift-zookeeper-fuzz",
    dependencies: [
        .package(name: "swift-zookeeper", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The server's frame decoder and request handling, one connection per input (the format of
        // corpus/). A debug build: it reaches the server's internals through @testable import.
        .executableTarget(
            name: "ServerFuzzer",
            dependencies: [
                .product(name: "ZooKeeperServer", package: "swift-zookeeper"),
                .product(name: "ZooKeeperProtocol", package: "swift-zookeeper"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    ]
)
