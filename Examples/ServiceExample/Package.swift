// swift-tools-version: 6.1
import PackageDescription

// An example service built on swift-zookeeper, as its own package: a Hummingbird HTTP service
// that reads its configuration from a subtree with a TreeCache, registers itself in a
// ServiceRegistry, runs a job only while it leads an election, and shuts down cleanly under
// swift-service-lifecycle. `make test` builds it and runs its tests.
let package = Package(
    name: "service-example",
    products: [
        .executable(name: "service-example", targets: ["service-example"])
    ],
    dependencies: [
        .package(name: "swift-zookeeper", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "ServiceExample",
            dependencies: [
                .product(name: "ZooKeeper", package: "swift-zookeeper"),
                .product(name: "ZooKeeperRecipes", package: "swift-zookeeper"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "service-example",
            dependencies: [
                "ServiceExample",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ServiceExampleTests",
            dependencies: [
                "ServiceExample",
                .product(name: "ZooKeeper", package: "swift-zookeeper"),
                .product(name: "ZooKeeperRecipes", package: "swift-zookeeper"),
                .product(name: "ZooKeeperServer", package: "swift-zookeeper"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
