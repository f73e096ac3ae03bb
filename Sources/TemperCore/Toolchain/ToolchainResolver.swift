import Foundation

/// Finds a coherent LLVM toolchain: `--llvm-bin` or the profile's `llvm_bin` if given; else the
/// newest `/usr/lib/llvm-N/bin` holding clang and llvm-profdata; else the directory of the
/// `clang` on PATH. Every tool comes from that one directory, and majors must agree.
public struct ToolchainResolver: Sendable {
    let runner: any ProcessRunning
    /// Where versioned Debian-style LLVMs live; a parameter so tests can point elsewhere.
    var versionedRoot = "/usr/lib"
    var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    public init(runner: any ProcessRunning) {
        self.runner = runner
    }

    static let roles: [(role: String, name: String)] = [
        ("cc", "clang"), ("cxx", "clang++"), ("profdata", "llvm-profdata"),
        ("ar", "llvm-ar"), ("ranlib", "llvm-ranlib"), ("linker", "ld.lld"),
    ]

    public func resolve(llvmBin: String?, family: CompilerFamily = .clang) async throws -> Toolchain {
        let (directory, origin) = try locate(llvmBin: llvmBin)
        var tools: [String: Tool] = [:]
        for (role, name) in Self.roles {
            let toolPath = directory + "/" + name
            guard FileManager.default.isExecutableFile(atPath: toolPath) else {
                throw ToolchainError.missingTool(role: role, name: name, directory: directory)
            }
            tools[role] = try await version(of: toolPath, role: role)
        }
        let toolchain = Toolchain(
            family: family, directory: directory, origin: origin, cc: tools["cc"]!, cxx: tools["cxx"]!,
            profdata: tools["profdata"]!, ar: tools["ar"]!, ranlib: tools["ranlib"]!, linker: tools["linker"]!)
        let mismatched = toolchain.tools.filter { $0.major != toolchain.cc.major }
        if !mismatched.isEmpty {
            throw ToolchainError.mixedVersions(compiler: toolchain.cc, mismatched: mismatched)
        }
        return toolchain
    }

    func locate(llvmBin: String?) throws -> (String, String) {
        if let llvmBin {
            return (URL(fileURLWithPath: llvmBin).standardizedFileURL.path, "given with --llvm-bin or llvm_bin")
        }
        var searched: [String] = []
        let versioned = ((try? FileManager.default.contentsOfDirectory(atPath: versionedRoot)) ?? [])
            .compactMap { entry -> (Int, String)? in
                guard entry.hasPrefix("llvm-"), let major = Int(entry.dropFirst(5)) else { return nil }
                return (major, "\(versionedRoot)/\(entry)/bin")
            }
            .sorted { $0.0 > $1.0 }
        for (_, directory) in versioned {
            searched.append(directory)
            if FileManager.default.isExecutableFile(atPath: directory + "/clang"),
                FileManager.default.isExecutableFile(atPath: directory + "/llvm-profdata")
            {
                return (directory, "newest \(versionedRoot)/llvm-N with clang and llvm-profdata")
            }
        }
        for entry in path.split(separator: ":") {
            let candidate = "\(entry)/clang"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return (String(entry), "directory of the clang on PATH")
            }
        }
        searched.append("clang on PATH")
        throw ToolchainError.notFound(searched: searched)
    }

    func version(of toolPath: String, role: String) async throws -> Tool {
        // llvm-profdata before LLVM 15 answers only a subcommand's --version.
        let arguments = role == "profdata" ? ["merge", "--version"] : ["--version"]
        let (_, output) = try await runner.capture(Command(executable: toolPath, arguments: arguments, workingDirectory: "/"))
        guard let parsed = ToolVersion.parse(output) else {
            throw ToolchainError.unreadableVersion(role: role, path: toolPath, output: output)
        }
        return Tool(role: role, path: toolPath, version: parsed.version, major: parsed.major)
    }
}

extension ProcessRunning {
    /// Runs a short command and returns its combined output (through the same seam as stages).
    public func capture(_ command: Command) async throws -> (ProcessOutcome, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("temper-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let outcome = try await run(command, logPath: log, annotate: false)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (outcome, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
