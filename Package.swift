// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "temper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "temper", targets: ["temper"]),
        .library(name: "TemperCore", targets: ["TemperCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The floors of docs/architecture.md, one target each, so a back edge does not compile:
        // TemperModel ← TemperSystem ← TemperExecution ← TemperStages ← TemperCore ← temper.
        .target(
            name: "TemperModel",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "TemperSystem",
            dependencies: [
                "TemperModel",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "TemperExecution",
            dependencies: ["TemperModel", "TemperSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "TemperStages",
            dependencies: ["TemperModel", "TemperSystem", "TemperExecution", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "TemperCore",
            dependencies: [
                "TemperModel", "TemperSystem", "TemperExecution", "TemperStages",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "temper",
            dependencies: [
                "TemperCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "TemperCoreTests",
            dependencies: [
                "TemperModel", "TemperSystem", "TemperExecution", "TemperStages", "TemperCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            // Read by path (#filePath), not bundled as resources.
            exclude: ["Golden"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "TemperIntegrationTests",
            // The executable too: the kill/resume tests drive the real `temper` binary.
            dependencies: ["TemperModel", "TemperSystem", "TemperExecution", "TemperStages", "TemperCore", "temper"],
            // Read by path (#filePath): the corpus of broken profiles.
            exclude: ["BrokenProfiles"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
