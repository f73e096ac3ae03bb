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
        .target(
            name: "TemperCore",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
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
            dependencies: ["TemperCore", .product(name: "PropertyBased", package: "swift-property-based")],
            // Read by path (#filePath), not bundled as resources.
            exclude: ["Golden"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "TemperIntegrationTests",
            // The executable too: the kill/resume tests drive the real `temper` binary.
            dependencies: ["TemperCore", "temper"],
            // Read by path (#filePath): the corpus of broken profiles.
            exclude: ["BrokenProfiles"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
