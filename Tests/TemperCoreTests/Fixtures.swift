import Foundation
@testable import TemperCore

/// Shared test values: a toolchain that needs no real tools, and a minimal valid profile.
enum Fixtures {
    static func tool(_ role: String, _ name: String, major: Int = 22) -> Tool {
        Tool(role: role, path: "/opt/llvm/bin/\(name)", version: "\(major).1.8", major: major)
    }

    static let toolchain = Toolchain(
        family: .clang, directory: "/opt/llvm/bin", origin: "test",
        cc: tool("cc", "clang"), cxx: tool("cxx", "clang++"), profdata: tool("profdata", "llvm-profdata"),
        ar: tool("ar", "llvm-ar"), ranlib: tool("ranlib", "llvm-ranlib"), linker: tool("linker", "ld.lld"))

    static let minimalProfile = """
        version = 1
        name = "mini"

        [source]
        path = "src"

        [build]
        build = ["make", "-j{jobs}", "CC={cc}", "CFLAGS={cflags}"]
        artifacts = ["bin/app"]

        [[train.task]]
        name = "one"
        run = ["{artifact:app}", "input.txt"]
        """

    static func parse(_ text: String, file: String = "/p/profile.toml") throws -> PipelineProfile {
        try ProfileParser.parse(text, file: file)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("temper-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
