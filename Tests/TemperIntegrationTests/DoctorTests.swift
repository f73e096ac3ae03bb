import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// `temper doctor` and toolchain discovery on the machine's real toolchains.
@Suite(.serialized) struct DoctorTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    func examine(llvmBin: String? = nil, family: CompilerFamily = .clang) async -> DoctorReport {
        await Doctor().examine(llvmBin: llvmBin, family: family, scratch: WorkDir(root: sandbox.root + "/doctor")).0
    }

    // No timed assertion: how long the probes take is a benchmark's business, not a test's.
    @Test func goodToolchainPassesEveryProbe() async throws {
        let report = await examine()
        #expect(report.healthy)
        #expect(report.probes.map(\.name) == ["versions", "instrumented-build", "instrumented-run", "merge-profile", "optimize-lto", "bolt"])
        for probe in report.probes { #expect(probe.ok, "\(probe.name): \(probe.message)") }
        #expect(report.tools.map(\.name).prefix(6) == ["clang", "clang++", "ld.lld", "llvm-ar", "llvm-ranlib", "llvm-profdata"])
        #expect(report.tools.first { $0.name == "llvm-bolt" }?.major == (try await TestLLVM.find().major))
        #expect(report.tools.allSatisfy { $0.role == "perf" || $0.path != nil })
    }

    /// A build tool the machine lacks: doctor names it and its package and exits 3; run refuses
    /// the same way before anything is created.
    @Test func aMissingBuildToolIsNamedWithItsPackage() async throws {
        let text = sandbox.profileText(name: "missing-tool").replacingOccurrences(of: "[build]\n", with: "[build]\nconfigure = [[\"yasm-not-here\", \"--version\"], [\"env\", \"-u\", \"X\", \"A=1\", \"meson-not-here\"]]\n")
        let profile = try sandbox.writeRaw(name: "missing-tool.toml", text)
        let (status, output) = try await Temper.run(["doctor", profile])
        #expect(status == 3, "\(output)")
        #expect(output.contains("yasm-not-here (named in build.configure): not on PATH") && output.contains("meson-not-here"), "\(output)")
        #expect(output.contains("programs the profile runs are missing"))
        let (ran, ranOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir])
        #expect(ran == 3 && ranOutput.contains("runs programs this machine does not have"), "\(ranOutput)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir))
        // A known program gets its Debian package.
        let entries = ProfilePrograms.check(try ProfileParser.load(path: profile), path: "/nonexistent")
        #expect(entries.first { $0.name == "make" }?.package == "make")
    }

    @Test func doctorCommandPrintsTheJSONContract() async throws {
        let (status, output) = try await Temper.run(["doctor", "--json"])
        #expect(status == 0, "\(output)")
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
        let tools = json["tools"] as! [[String: Any]]
        for key in ["name", "path", "version", "major"] { #expect(tools[0][key] != nil) }
        let probes = json["probes"] as! [[String: Any]]
        for key in ["name", "ok", "seconds", "message"] { #expect(probes[0][key] != nil) }
    }

    @Test func mixedSetExits3NamingBothMajors() async throws {
        let mixed = try await sandbox.mixedToolchainDirectory()
        let report = await examine(llvmBin: mixed.directory)
        #expect(!report.healthy)
        #expect(Set(report.tools.compactMap(\.major)) == [try await TestLLVM.find().major, mixed.otherMajor])
        let (status, output) = try await Temper.run(["doctor", "--llvm-bin", mixed.directory])
        #expect(status == 3)
        #expect(output.contains("LLVM \(try await TestLLVM.find().major).") && output.contains("LLVM \(mixed.otherMajor)."))
    }

    @Test func swiftToolchainPassesPGOProbesWithoutBOLT() async throws {
        let swiftClang = try #require(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swift" }
                .first { FileManager.default.isExecutableFile(atPath: $0) })
        let directory = URL(fileURLWithPath: swiftClang).resolvingSymlinksInPath().deletingLastPathComponent().path
        let report = await examine(llvmBin: directory)
        #expect(report.healthy)
        for probe in report.probes where probe.required { #expect(probe.ok, "\(probe.name): \(probe.message)") }
        let bolt = try #require(report.probes.first { $0.name == "bolt" })
        #expect(!bolt.ok && !bolt.required)
        #expect(bolt.message.contains("BOLT is unavailable"))
        #expect(bolt.fix?.contains("bolt-") == true)
    }

    @Test func missingProfileRuntimeIsCaughtWithTheFix() async throws {
        let broken = try await sandbox.toolchainWithoutProfileRuntime()
        let report = await examine(llvmBin: broken)
        #expect(!report.healthy)
        let probe = try #require(report.probes.first { $0.name == "instrumented-build" })
        #expect(!probe.ok)
        #expect(probe.message.contains("libclang_rt.profile"))
        #expect(probe.fix == "the compiler's profile runtime is missing: `apt-get install --no-install-recommends libclang-rt-\(try await TestLLVM.find().major)-dev`")

        // `temper run` probes first, and stops before building anything.
        let (status, output) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir, "--llvm-bin", broken, "--no-bolt"])
        #expect(status == 3, "\(output)")
        #expect(output.contains("libclang-rt-\(try await TestLLVM.find().major)-dev"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/stages"))
        // Every log the message points at is still there to read.
        let logs = output.split(whereSeparator: { " \n()".contains($0) }).map(String.init)
            .filter { $0.hasPrefix(sandbox.workDir) && $0.hasSuffix(".log") }
        #expect(!logs.isEmpty, "\(output)")
        for log in logs { #expect(FileManager.default.fileExists(atPath: log), "\(log) is named in the message but gone") }
    }

    @Test func probesAreCachedPerToolchain() async throws {
        var options = PipelineRun.Options(jobs: 2)
        options.workDir = sandbox.workDir
        let run = PipelineRun(progress: SilentProgress(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await run.run(profilePath: sandbox.profile, options: options)
        let cached = try FileManager.default.contentsOfDirectory(atPath: sandbox.workDir + "/cache").filter { $0.hasPrefix("probes-") }
        #expect(cached.count == 1)
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/cache/probe-scratch"))
    }

    @Test func versionedNamesInOneDirectoryResolveToOneMajor() async throws {
        // Debian's /usr/bin layout: clang-N, llvm-profdata-N, ... next to an unversioned
        // llvm-profdata of another major. The -N tools must win.
        let llvm = try await TestLLVM.find()
        let directory = sandbox.root + "/usr-bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for tool in ["clang", "clang++", "llvm-profdata", "llvm-ar", "llvm-ranlib", "ld.lld"] {
            try FileManager.default.createSymbolicLink(atPath: "\(directory)/\(tool)-\(llvm.major)", withDestinationPath: llvm.tool(tool))
        }
        let mixed = try await sandbox.mixedToolchainDirectory()
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/llvm-profdata", withDestinationPath: mixed.directory + "/llvm-profdata")
        let toolchain = try await ToolchainResolver(runner: SubprocessRunner()).resolve(llvmBin: directory)
        #expect(toolchain.tools.allSatisfy { $0.major == llvm.major })
        #expect(toolchain.profdata.path == "\(directory)/llvm-profdata-\(llvm.major)")
        #expect(toolchain.cc.path == "\(directory)/clang-\(llvm.major)")
    }

    @Test func discoverySkipsIncoherentDirectoriesAndFindsHomebrewPrefixes() async throws {
        // A newer /usr/lib/llvm-N whose llvm-profdata is of another major is passed over.
        let root = sandbox.root + "/lib"
        let llvm = try await TestLLVM.find()
        // The LLVM root (…/llvm-N) that holds the bin directory temper found.
        let llvmRoot = URL(fileURLWithPath: llvm.bin).resolvingSymlinksInPath().deletingLastPathComponent().path
        let mixed = try await sandbox.mixedToolchainDirectory()
        try FileManager.default.createDirectory(atPath: root + "/llvm-99", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/llvm-99/bin", withDestinationPath: mixed.directory)
        try FileManager.default.createSymbolicLink(atPath: root + "/llvm-\(llvm.major)", withDestinationPath: llvmRoot)
        var resolver = ToolchainResolver(runner: SubprocessRunner())
        resolver.versionedRoot = root
        let toolchain = try await resolver.resolve(llvmBin: nil)
        #expect(toolchain.directory == root + "/llvm-\(llvm.major)/bin")

        // With no versioned LLVM, a Homebrew-style prefix is used before clang on PATH.
        resolver.versionedRoot = sandbox.root + "/none"
        resolver.homebrewPrefixes = [llvm.bin]
        let brewed = try await resolver.resolve(llvmBin: nil)
        #expect(brewed.origin == "Homebrew LLVM")
        #expect(brewed.cc.major == llvm.major)

        // Only incoherent candidates: exit 3 with both versions.
        resolver.versionedRoot = sandbox.root + "/none"
        resolver.homebrewPrefixes = [mixed.directory]
        resolver.path = mixed.directory
        await #expect(throws: ToolchainError.self) { _ = try await resolver.resolve(llvmBin: nil) }
    }
}

/// The demo pipeline with GCC.
@Suite(.serialized) struct GCCPipelineTests {
    @Test func gccDemoRunsAndPrintsWhatTheBaselinePrints() async throws {
        let sandbox = try DemoSandbox()
        var options = PipelineRun.Options(jobs: 2)
        options.workDir = sandbox.workDir
        options.compiler = .gcc
        options.baseline = true
        let report = try await PipelineRun(progress: SilentProgress(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            .run(profilePath: sandbox.profile, options: options)
        #expect(report.status == "succeeded")
        #expect(report.toolchain.keys.contains { $0.hasPrefix("gcov-tool") })
        let data = try #require(report.profileData)
        #expect((data.functions ?? 0) > 5)
        #expect(data.warnings["missing_functions"] == 0)
        #expect(data.warnings["unprofiled_files"] == 0)
        #expect(data.warnings["hash_mismatch"] == 0)
        let optimized = try sandbox.bench(sandbox.workDir + "/out/tl")
        #expect(optimized.contains("checksum"))
        #expect(optimized == (try sandbox.bench(sandbox.workDir + "/out/baseline/tl")))
        // The merged .gcda files sit where GCC looks for them: next to the optimized objects.
        #expect(FileManager.default.fileExists(atPath: sandbox.workDir + "/stages/optimize/build/vm.gcda"))
        #expect(!ELFFile.contains(sandbox.workDir + "/out/tl", ".gcda"))
        #expect(ELFFile.contains(sandbox.workDir + "/stages/instrument/build/tl", ".gcda"))
    }
}
