import TemperModel
import Foundation

/// Finds a coherent toolchain.
///
/// clang: `--llvm-bin` or the profile's `llvm_bin` if given; otherwise the newest
/// `/usr/lib/llvm-N/bin` (Debian, Ubuntu, apt.llvm.org), then Homebrew's `opt/llvm/bin`, then
/// the directory of the `clang` on PATH (e.g. the Swift toolchain). In a directory with
/// versioned names (`/usr/bin/clang-22`) the tools of the compiler's major are taken
/// (`llvm-profdata-22`). A discovered directory whose tools mix majors is skipped; a given
/// one is an error (exit 3) naming both tools and versions.
///
/// gcc: the `gcc` on PATH, with `g++`, `gcc-ar`, `gcc-ranlib`, `gcov-tool`, `gcov-dump` of the
/// same version from its directory (`gcc-12` style names first), and the system `ld`.
public struct ToolchainResolver: Sendable {
    let runner: any ProcessRunning
    /// Where versioned Debian-style LLVMs live, and Homebrew-style prefixes; parameters so
    /// tests can point elsewhere.
    var versionedRoot = "/usr/lib"
    var homebrewPrefixes = ["/opt/homebrew/opt/llvm/bin", "/usr/local/opt/llvm/bin", "/home/linuxbrew/.linuxbrew/opt/llvm/bin"]
    var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    public init(runner: any ProcessRunning) {
        self.runner = runner
    }

    static let clangTools: [(role: String, name: String)] = [
        ("cxx", "clang++"), ("profdata", "llvm-profdata"), ("ar", "llvm-ar"), ("ranlib", "llvm-ranlib"), ("linker", "ld.lld"),
    ]

    public func resolve(llvmBin: String?, family: CompilerFamily = .clang) async throws -> Toolchain {
        switch family {
        case .clang: return try await resolveClang(llvmBin: llvmBin)
        case .gcc: return try await resolveGCC()
        }
    }

    // MARK: clang

    func resolveClang(llvmBin: String?) async throws -> Toolchain {
        if let llvmBin {
            let directory = URL(fileURLWithPath: llvmBin).standardizedFileURL.path
            return try await clangToolchain(in: directory, origin: "given with --llvm-bin or llvm_bin")
        }
        var firstProblem: (any Error)?
        let candidates = clangCandidates()
        for (directory, origin) in candidates {
            do {
                return try await clangToolchain(in: directory, origin: origin)
            } catch {
                // Keep looking for a complete, coherent set; report the best problem if none is.
                if firstProblem == nil { firstProblem = error }
            }
        }
        throw firstProblem ?? ToolchainError.notFound(searched: candidates.map(\.0) + ["clang on PATH"])
    }

    func clangCandidates() -> [(String, String)] {
        let manager = FileManager.default
        var result: [(String, String)] = ((try? manager.contentsOfDirectory(atPath: versionedRoot)) ?? [])
            .compactMap { entry -> (Int, String)? in
                guard entry.hasPrefix("llvm-"), let major = Int(entry.dropFirst(5)) else { return nil }
                return (major, "\(versionedRoot)/\(entry)/bin")
            }
            .sorted { $0.0 > $1.0 }
            .filter { manager.isExecutableFile(atPath: $0.1 + "/clang") && manager.isExecutableFile(atPath: $0.1 + "/llvm-profdata") }
            .map { ($0.1, "newest \(versionedRoot)/llvm-N with clang and llvm-profdata") }
        result += homebrewPrefixes.filter { manager.isExecutableFile(atPath: $0 + "/clang") }.map { ($0, "Homebrew LLVM") }
        for entry in path.split(separator: ":").map(String.init) where compilerName(in: entry, base: "clang") != nil {
            if !result.contains(where: { $0.0 == entry }) { result.append((entry, "directory of the clang on PATH")) }
        }
        return result
    }

    /// `base` itself, or else the highest versioned `base-N` in the directory.
    func compilerName(in directory: String, base: String) -> String? {
        let manager = FileManager.default
        if manager.isExecutableFile(atPath: directory + "/" + base) { return base }
        let versioned = ((try? manager.contentsOfDirectory(atPath: directory)) ?? [])
            .compactMap { entry -> (Int, String)? in
                guard entry.hasPrefix(base + "-"), let major = Int(entry.dropFirst(base.count + 1)) else { return nil }
                return (major, entry)
            }
            .max { $0.0 < $1.0 }
        return versioned.map(\.1)
    }

    /// `name-MAJOR` when the directory has it (Debian's /usr/bin), else `name`.
    func toolPath(_ name: String, major: Int, in directory: String) -> String? {
        for candidate in ["\(name)-\(major)", name] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(candidate)") {
            return "\(directory)/\(candidate)"
        }
        return nil
    }

    func clangToolchain(in directory: String, origin: String) async throws -> Toolchain {
        guard let compiler = compilerName(in: directory, base: "clang") else {
            throw ToolchainError.missingTool(role: "cc", name: "clang", directory: directory, package: nil)
        }
        let cc = try await version(of: directory + "/" + compiler, role: "cc")
        var tools: [String: Tool] = [:]
        for (role, name) in Self.clangTools {
            guard let path = toolPath(name, major: cc.major, in: directory) else {
                throw ToolchainError.missingTool(role: role, name: name, directory: directory, package: ToolchainAdvice.package(for: name, major: cc.major))
            }
            tools[role] = try await version(of: path, role: role)
        }
        let toolchain = Toolchain(
            family: .clang, directory: directory, origin: origin, cc: cc, cxx: tools["cxx"]!, profdata: tools["profdata"]!,
            ar: tools["ar"]!, ranlib: tools["ranlib"]!, linker: tools["linker"]!)
        try checkMajors(toolchain)
        return toolchain
    }

    // MARK: gcc

    func resolveGCC() async throws -> Toolchain {
        guard let directory = path.split(separator: ":").map(String.init).first(where: { compilerName(in: $0, base: "gcc") != nil }),
            let compiler = compilerName(in: directory, base: "gcc")
        else {
            throw ToolchainError.notFound(searched: ["gcc on PATH"])
        }
        let cc = try await version(of: directory + "/" + compiler, role: "cc")
        var tools: [String: Tool] = [:]
        for (role, name) in [("cxx", "g++"), ("profdata", "gcov-tool"), ("dump", "gcov-dump"), ("ar", "gcc-ar"), ("ranlib", "gcc-ranlib")] {
            guard let toolPath = toolPath(name, major: cc.major, in: directory) else {
                throw ToolchainError.missingTool(role: role, name: name, directory: directory, package: ToolchainAdvice.package(for: name, major: cc.major))
            }
            tools[role] = try await version(of: toolPath, role: role)
        }
        guard let linkerDirectory = path.split(separator: ":").map(String.init).first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/ld") }) else {
            throw ToolchainError.missingTool(role: "linker", name: "ld", directory: "PATH", package: "binutils")
        }
        let toolchain = Toolchain(
            family: .gcc, directory: directory, origin: "the gcc on PATH", cc: cc, cxx: tools["cxx"]!, profdata: tools["profdata"]!,
            ar: tools["ar"]!, ranlib: tools["ranlib"]!, linker: try await version(of: linkerDirectory + "/ld", role: "linker"),
            profileDump: tools["dump"]!)
        try checkMajors(toolchain)
        return toolchain
    }

    // MARK: shared

    func checkMajors(_ toolchain: Toolchain) throws {
        let mismatched = toolchain.versionLockedTools.filter { $0.major != toolchain.cc.major }
        if !mismatched.isEmpty {
            throw ToolchainError.mixedVersions(compiler: toolchain.cc, mismatched: mismatched)
        }
    }

    func version(of toolPath: String, role: String) async throws -> Tool {
        // llvm-profdata before LLVM 15 answers only a subcommand's --version.
        let arguments = toolPath.split(separator: "/").last?.hasPrefix("llvm-profdata") == true ? ["merge", "--version"] : ["--version"]
        // Under coreutils' timeout as well: if temper itself is killed (nothing then tears the
        // group down), a tool that never answers still ends within the same limit.
        let bounded = FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout")
            ? Command(executable: "/usr/bin/timeout", arguments: ["-k", "5", String(Int(captureTimeout)), toolPath] + arguments, workingDirectory: "/", timeout: captureTimeout + 10)
            : Command(executable: toolPath, arguments: arguments, workingDirectory: "/", timeout: captureTimeout)
        let (outcome, output) = try await runner.capture(bounded)
        if case .timedOut = outcome.termination {
            throw ToolchainError.unreadableVersion(role: role, path: toolPath, output: "no answer to \(arguments.joined(separator: " ")) within \(Int(captureTimeout)) s (stopped)")
        }
        if outcome.termination == .exited(124) || outcome.termination == .exited(137) {
            throw ToolchainError.unreadableVersion(role: role, path: toolPath, output: "no answer to \(arguments.joined(separator: " ")) within \(Int(captureTimeout)) s (stopped)")
        }
        guard let parsed = ToolVersion.parse(output) else {
            throw ToolchainError.unreadableVersion(role: role, path: toolPath, output: output)
        }
        return Tool(role: role, path: toolPath, version: parsed.version, major: parsed.major)
    }

    /// A tool that may be missing (BOLT, perf): its version, or nil when absent or unreadable.
    public func optionalTool(_ name: String, role: String, major: Int?, in directories: [String]) async -> Tool? {
        for directory in directories {
            let path = major.flatMap { toolPath(name, major: $0, in: directory) }
                ?? (FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") ? "\(directory)/\(name)" : nil)
            guard let path else { continue }
            return try? await version(of: path, role: role)
        }
        return nil
    }

    public var pathDirectories: [String] { path.split(separator: ":").map(String.init) }

    /// The program's path on PATH, if it is there (valgrind, perf: optional measuring tools).
    public static func onPath(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A compiler launcher's executable as an absolute path: a bare name is looked up on PATH.
    public func launcher(_ name: String) throws -> String {
        // A directory has its x bit too; only a file is a program.
        func isProgram(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: path)
        }
        if name.contains("/") {
            guard isProgram(name) else {
                throw ToolchainError.missingLauncher(name: name, package: nil)
            }
            return URL(fileURLWithPath: name).standardizedFileURL.path
        }
        guard let directory = pathDirectories.first(where: { isProgram($0 + "/" + name) }) else {
            throw ToolchainError.missingLauncher(name: name, package: ["ccache", "sccache", "distcc"].contains(name) ? name : nil)
        }
        return directory + "/" + name
    }
}

/// How long a tool query (`--version`) may take before it is stopped: a tool that never
/// answers must not hang temper (its process group is torn down with it).
public let captureTimeout: Double = 60

extension ProcessRunning {
    /// Runs a short command and returns its combined output (through the same seam as stages).
    /// The command runs exactly as given: a query that may not return gets its timeout where
    /// it is made (`captureTimeout`), so a plan shows it.
    public func capture(_ command: Command) async throws -> (ProcessOutcome, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("temper-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let outcome = try await run(command, logPath: log, annotate: false)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (outcome, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
