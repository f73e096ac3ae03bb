import TemperModel
import Foundation

/// BOLT's tools and runtime, which come with an LLVM: the toolchain's own directory for clang;
/// for GCC (whose binaries BOLT also takes) the newest LLVM that has them.
public struct BoltTools: Sendable, Equatable {
    public var bolt: Tool?
    public var mergeFdata: Tool?
    public var perf2bolt: Tool?
    public var directory: String
    /// `perf` for sampling mode, from PATH.
    public var perf: Tool?
    /// valgrind, from PATH: BOLT's candidate selection also counts instructions when it is there.
    public var valgrind: Tool?
    /// The flag this perf2bolt takes for profiles without LBR: `--ba` (BOLT 17 and newer) or `-nl`.
    public var noLBRFlag: String?

    package var tools: [Tool?] { [bolt, mergeFdata, perf2bolt] }
    public var complete: Bool { bolt != nil && mergeFdata != nil }

    /// BOLT 19's package looks for its instrumentation runtime in the wrong place; naming it
    /// explicitly works for every version.
    public var runtimeLibrary: String? {
        let path = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("lib/libbolt_rt_instr.a").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Flags temper always adds, whatever the profile says: they only report (dyno-stats, and
    /// the functions BOLT could not process, which it names only under -v=1).
    public static let reportingFlags = ["-dyno-stats", "-v=1"]
}

extension ToolchainResolver {
    public func boltTools(for toolchain: Toolchain) async -> BoltTools {
        var directories = [toolchain.directory]
        if toolchain.family == .gcc {
            directories = ((try? FileManager.default.contentsOfDirectory(atPath: versionedRoot)) ?? [])
                .compactMap { entry -> (Int, String)? in
                    guard entry.hasPrefix("llvm-"), let major = Int(entry.dropFirst(5)) else { return nil }
                    return (major, "\(versionedRoot)/\(entry)/bin")
                }
                .sorted { $0.0 > $1.0 }.map(\.1)
                .filter { FileManager.default.isExecutableFile(atPath: $0 + "/llvm-bolt") }
        }
        let major = toolchain.family == .clang ? toolchain.cc.major : nil
        for directory in directories {
            guard let bolt = await optionalTool("llvm-bolt", role: "bolt", major: major, in: [directory]) else { continue }
            var tools = BoltTools(
                bolt: bolt, mergeFdata: await optionalTool("merge-fdata", role: "bolt", major: major, in: [directory]),
                perf2bolt: await optionalTool("perf2bolt", role: "bolt", major: major, in: [directory]), directory: directory)
            tools.perf = await optionalTool("perf", role: "perf", major: nil, in: pathDirectories)
            // Its version does not matter (and does not parse as LLVM's do): found is enough.
            tools.valgrind = pathDirectories.map { $0 + "/valgrind" }.first { FileManager.default.isExecutableFile(atPath: $0) }
                .map { Tool(role: "valgrind", path: $0, version: "", major: 0) }
            if let perf2bolt = tools.perf2bolt,
                let (_, help) = try? await runner.capture(Command(executable: perf2bolt.path, arguments: ["--help-hidden"], workingDirectory: "/"))
            {
                tools.noLBRFlag = help.contains("--ba ") || help.contains("--basic-events") ? "--ba" : help.contains("-nl ") ? "-nl" : nil
            }
            return tools
        }
        return BoltTools(directory: toolchain.directory)
    }
}
