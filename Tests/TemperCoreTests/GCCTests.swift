import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// The GCC backend's plans and parsing, as data.
@Suite struct GCCTests {
    static let gcc = Toolchain(
        family: .gcc, directory: "/usr/bin", origin: "test",
        cc: Tool(role: "cc", path: "/usr/bin/gcc-12", version: "12.2.0", major: 12),
        cxx: Tool(role: "cxx", path: "/usr/bin/g++-12", version: "12.2.0", major: 12),
        profdata: Tool(role: "profdata", path: "/usr/bin/gcov-tool-12", version: "12.2.0", major: 12),
        ar: Tool(role: "ar", path: "/usr/bin/gcc-ar-12", version: "2.40", major: 2),
        ranlib: Tool(role: "ranlib", path: "/usr/bin/gcc-ranlib-12", version: "2.40", major: 2),
        linker: Tool(role: "linker", path: "/usr/bin/ld", version: "2.40", major: 2),
        profileDump: Tool(role: "dump", path: "/usr/bin/gcov-dump-12", version: "12.2.0", major: 12))

    func profile(_ extra: String = "") throws -> PipelineProfile {
        try Fixtures.parse(Fixtures.minimalProfile.replacingOccurrences(of: "[[train.task]]", with: extra + "\n[[train.task]]"))
    }

    @Test func instrumentUsesProfileGenerateAndAtomicCountersForParallelTasks() throws {
        let serial = BuildStage(variant: .instrument, profile: try profile(), toolchain: Self.gcc)
        let command = try serial.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: 1)).steps[0].command
        #expect(command.environment["CFLAGS"] == "-O2 -fprofile-generate -fdebug-prefix-map=/w/stages/instrument/build=.")
        #expect(command.environment["LDFLAGS"] == "-fprofile-generate")
        #expect(command.environment["AR"] == "/usr/bin/gcc-ar-12")
        #expect(command.environment["RANLIB"] == "/usr/bin/gcc-ranlib-12")
        #expect(command.environment["GCOV_PREFIX"] == "/w/stages/instrument/build-time-profiles")
        let parallel = BuildStage(variant: .instrument, profile: try profile("[train]\njobs = 2"), toolchain: Self.gcc)
        #expect(try parallel.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: 1)).steps[0].command.environment["CFLAGS"] == "-O2 -fprofile-generate -fprofile-update=atomic -fdebug-prefix-map=/w/stages/instrument/build=.")
    }

    @Test func optimizeUsesProfileWithLTOAndTheMissingProfilePolicy() throws {
        let warn = BuildStage(variant: .optimize, profileFrom: .merge, profile: try profile(), toolchain: Self.gcc)
        let command = try warn.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: 1)).steps[0].command
        #expect(command.environment["CFLAGS"] == "-O2 -fprofile-use -Wmissing-profile -Wno-error=coverage-mismatch -flto=auto -fdebug-prefix-map=/w/stages/optimize/build=.")
        #expect(command.environment["LDFLAGS"] == "-flto=auto")
        let strictProfile = try Fixtures.parse(Fixtures.minimalProfile + "\n[optimize]\nmissing_profile = \"error\"\n")
        let strict = BuildStage(variant: .optimize, profileFrom: .merge, profile: strictProfile, toolchain: Self.gcc)
        #expect(try strict.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: 1)).steps[0].command.environment["CFLAGS"]
            == "-O2 -fprofile-use -Wmissing-profile -Werror=missing-profile -Werror=coverage-mismatch -flto=auto -fdebug-prefix-map=/w/stages/optimize/build=.")
        let clang = BuildStage(variant: .optimize, profileFrom: .merge, profile: strictProfile, toolchain: Fixtures.toolchain)
        #expect(try clang.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: 1)).steps[0].command.environment["CFLAGS"]!.contains("-Werror=backend-plugin"))
    }

    @Test func trainPointsGCOVPrefixAtTheTaskDirectory() throws {
        let stage = try Fixtures.stage(.train, try profile(), toolchain: Self.gcc, as: TrainStage.self)
        let command = try stage.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: nil)).steps[0].command
        #expect(command.environment == ["GCOV_PREFIX": "/w/stages/train/raw/one"])
    }

    @Test func mergeFoldsTaskTreesPairwiseWithGcovTool() throws {
        let text = Fixtures.minimalProfile + "\n[[train.task]]\nname = \"two\"\nrun = [\"x\"]\n[[train.task]]\nname = \"three\"\nrun = [\"x\"]\n"
        let stage = try Fixtures.stage(.merge, try Fixtures.parse(text), toolchain: Self.gcc, as: GCCMergeStage.self)
        let steps = try stage.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: nil)).steps
        let commands = steps.filter { $0.label == "merge" }.map(\.command)
        let raw = "/w/stages/train/raw"
        let build = "/w/stages/instrument/build"
        #expect(commands.map(\.arguments) == [
            ["merge", "-o", "/w/stages/merge/step-1", "\(raw)/one\(build)", "\(raw)/two\(build)"],
            ["merge", "-o", "/w/stages/merge/step-2", "/w/stages/merge/step-1", "\(raw)/three\(build)"],
        ])
        #expect(commands.allSatisfy { $0.executable == "/usr/bin/gcov-tool-12" })
        // gcov-dump is in the plan too (printed by `temper plan`, in the fingerprint): on the last step's tree.
        #expect(steps.map(\.label) == ["merge", "merge", "summarize"])
        #expect(steps.last?.command.arguments == ["/w/stages/merge/step-2", "-type", "f", "-name", "*.gcda", "-exec", "/usr/bin/gcov-dump-12", "-l", "{}", "+"])
        #expect(PipelineComposer.stages(for: try profile(), toolchain: Self.gcc, baseline: false)[2] is GCCMergeStage)
    }

    @Test func versionLockExcludesBinutils() {
        #expect(Self.gcc.versionLockedTools.map(\.name) == ["gcc-12", "g++-12", "gcov-tool-12", "gcov-dump-12"])
        #expect(Self.gcc.summary == "GCC 12.2.0")
        #expect(Self.gcc.profileRuntime.environment(rawDirectory: "/r") == ["GCOV_PREFIX": "/r"])
        #expect(Fixtures.toolchain.profileRuntime.environment(rawDirectory: "/r") == ["LLVM_PROFILE_FILE": "/r/%p.profraw"])
    }

    @Test func gcovDumpSummary() {
        let text = """
            /m/table.gcda:data:magic `gcda':version `B22*'
            /m/table.gcda:  a1000000:   8:OBJECT_SUMMARY runs=2, sum_max=8852724
            /m/table.gcda:  01000000:  12:FUNCTION ident=418789219, lineno_checksum=0xe99d728a, cfg_checksum=0xa43083b8
            /m/table.gcda:    01a10000:   8:COUNTERS arcs 1 counts
            /m/table.gcda:                   0: 6
            /m/table.gcda:    01af0000:   8:COUNTERS time_profiler 1 counts
            /m/table.gcda:                   0: 22
            /m/table.gcda:  01000000:  12:FUNCTION ident=1628540774, lineno_checksum=0xb9758bb3, cfg_checksum=0xa9889782
            /m/table.gcda:    01a10000:  24:COUNTERS arcs 3 counts
            /m/table.gcda:                   0: 600006 596934 305670
            /m/table.gcda:  01000000:  12:FUNCTION ident=7, lineno_checksum=0x1, cfg_checksum=0x2
            /m/table.gcda:    01a10000:  16:COUNTERS arcs 2 counts
            /m/table.gcda:                   0: 0 0
            """
        #expect(GCDASummary.parse(text) == GCDASummary(functions: 2, totalCount: 6 + 600006 + 596934 + 305670, maxCount: 600006, recorded: 3))
    }

    @Test func gccDiagnosticsAreCounted() {
        let log = """
            ../vm.c:327:14: warning: profile for function 'read_file' not found in profile data [-Wmissing-profile]
            conf.c:1:1: warning: '/b/conf.gcda' profile count data file not found [-Wmissing-profile]
            x.c:9:1: warning: number of counters in profile data for function 'f' does not match its profile data (counter 'arcs', expected 5 and have 4) [-Wcoverage-mismatch]
            """
        let counts = CompilerDiagnostics.count(in: log)
        #expect(counts["missing_functions"] == 1)
        #expect(counts["unprofiled_files"] == 1)
        #expect(counts["hash_mismatch"] == 1)
        #expect(CompilerDiagnostics.byFile(in: log)["../vm.c"] == ["missing_functions": 1])
    }

    @Test func gnuVersionLines() {
        #expect(ToolVersion.parse("gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022")?.version == "12.2.0")
        #expect(ToolVersion.parse("GNU ld (GNU Binutils for Debian) 2.40\nCopyright")?.major == 2)
        #expect(ToolVersion.parse("gcov-tool (Debian 12.2.0-14+deb12u1) 12.2.0")?.major == 12)
        #expect(ToolVersion.parse("perf version 6.1.187")?.version == "6.1.187")
    }

    @Test func probeAdviceNamesTheFix() {
        let toolchain = Fixtures.toolchain
        #expect(ProbeAdvice.fix(for: "ld.lld: error: cannot open /usr/lib/llvm-22/lib/clang/22/lib/linux/libclang_rt.profile-x86_64.a", toolchain: toolchain)
            == "the compiler's profile runtime is missing: `apt-get install --no-install-recommends libclang-rt-22-dev`")
        #expect(ProbeAdvice.fix(for: "warning: a.profraw: unsupported instrumentation profile format version", toolchain: toolchain)?.contains("--llvm-bin /usr/lib/llvm-22/bin") == true)
        #expect(ProbeAdvice.fix(for: "Opaque pointers are only supported in -opaque-pointers mode", toolchain: toolchain)?.contains("llvm-ar") == true)
        #expect(ProbeAdvice.fix(for: "all good", toolchain: toolchain) == nil)
        #expect(ToolchainAdvice.package(for: "/usr/bin/ld.lld-22", major: 22) == "lld-22")
        #expect(ToolchainAdvice.package(for: "merge-fdata", major: 19) == "bolt-19")
    }
}
