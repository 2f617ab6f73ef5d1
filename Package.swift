// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "zmqsuite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zmqsuite", targets: ["zmqsuite"]),
        .executable(name: "zmq-agent", targets: ["zmq-agent"]),
        .library(name: "Harness", targets: ["Harness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libzmq through pkg-config; Debian's provider is libzmq3-dev (scripts/setup installs it).
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // libsodium for CurveZMQ's boxes (the wire peer's CURVE); Debian's libsodium-dev.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "Harness",
            dependencies: [
                "CZeroMQ", "CSodium", "Yams", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The C reference loops (libzmq's perf/ semantics), to measure the Swift driver's overhead.
        .target(
            name: "CPerfLoops",
            dependencies: ["CZeroMQ"]
        ),
        .target(
            name: "PerfTools",
            dependencies: ["Harness", "CZeroMQ", "CPerfLoops", .product(name: "Histogram", package: "hdrhistogram-swift")],
            // The hot loops hand raw libzmq pointers to their peer thread once, at start: Swift 5
            // mode keeps that explicit code free of Sendable wrappers around each pointer.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // The CI regression gate: records, statistics, decisions and their reports.
        .target(
            name: "Gate",
            dependencies: ["Harness", "PerfTools"]
        ),
        .executableTarget(
            name: "zmqsuite",
            dependencies: ["Harness", "PerfTools", "Gate", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "zmq-agent",
            dependencies: ["Harness", "PerfTools"]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["Harness"],
            path: "Tests/Conformance"
        ),
        .testTarget(
            name: "PerfToolsTests",
            dependencies: ["PerfTools", "Harness"],
            path: "Tests/PerfTools"
        ),
        .testTarget(
            name: "GateTests",
            dependencies: ["Gate", "Harness", "PerfTools"],
            path: "Tests/Gate"
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["Harness", "PerfTools"],
            path: "Tests/Interop",
            // Deliberately broken agents and ZMTP services (Python) that AgentCheckTests and WireTargetTests run.
            exclude: ["BrokenAgents", "WirePeers"]
        ),
    ]
)
