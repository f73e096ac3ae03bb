import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Plans are plain data: these tests pin what each stage would run, without running it.
@Suite struct PlanTests {
    let workDir = WorkDir(root: "/w")

    func profile(_ extra: String = "") throws -> PipelineProfile {
        try Fixtures.parse(Fixtures.minimalProfile + "\n" + extra)
    }

    /// One stage order: every graph the composer builds lists its stages in `stageOrder`,
    /// which is also what `status` sorts by and the names `--from`/`--to` accept.
    @Test func everyGraphFollowsTheComposersStageOrder() throws {
        let bolt = BoltTools(
            bolt: Tool(role: "bolt", path: "/b/llvm-bolt", version: "22.1.8", major: 22),
            mergeFdata: Tool(role: "bolt", path: "/b/merge-fdata", version: "22.1.8", major: 22), perf2bolt: nil, directory: "/b")
        let text = Fixtures.minimalProfile + "\n[bolt]\nenabled = true\n[install]\nrun = [[\"make\", \"install\"]]\n"
        let profile = try Fixtures.parse(text)
        let graphs = [
            PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: true, bolt: bolt),
            PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: false),
            PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: true, bolt: bolt, bundle: .init(path: "/x.bundle", sha256: "00")),
        ]
        for graph in graphs {
            let ids = graph.stages.map(\.id)
            let positions = ids.map { PipelineComposer.stageOrder.firstIndex(of: $0) }
            #expect(positions.allSatisfy { $0 != nil }, "\(ids)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(ids)")
        }
        #expect(graphs[0].stages.map(\.id).contains(.install) && graphs[2].stages.map(\.id).first == .bundleImport)
        // The roles the run records for readers of the work dir (bundle export), per graph.
        #expect(graphs[0].roles == StageRoles(
            training: .train, profileData: .merge, bundleImport: nil, boltTraining: .boltTrain, boltProfiles: .boltMerge, optimizedBuild: .optimize,
            boltResult: .boltOptimize, boltInput: .boltBuild))
        #expect(graphs[1].roles.boltTraining == nil && graphs[1].roles.boltProfiles == nil && graphs[1].roles.training == .train)
        #expect(graphs[2].roles == StageRoles(
            training: nil, profileData: .bundleImport, bundleImport: .bundleImport, boltTraining: nil, boltProfiles: .bundleImport, optimizedBuild: .optimize,
            boltResult: .boltOptimize, boltInput: .boltBuild))
    }

    @Test func instrumentInjectsFlagsThroughEnvironmentAndPlaceholders() throws {
        let stage = BuildStage(variant: .instrument, profile: try profile(), toolchain: Fixtures.toolchain)
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: 4))
        #expect(plan.steps.count == 1)
        let command = plan.steps[0].command
        // A fixed default profile directory (never written: LLVM_PROFILE_FILE is always set) and
        // the build directory mapped away keep the instrumented objects the same in every work dir.
        // temper's flags are marked as possibly unused: a project's -Werror never trips on them.
        let cflags = "-O2 --start-no-unused-arguments -fprofile-generate=/tmp/temper-unused-profile-dir -mllvm -static-func-full-module-prefix=false -fdebug-prefix-map=/w/stages/instrument/build=. --end-no-unused-arguments"
        #expect(command.executable == "make")
        #expect(command.arguments == ["-j4", "CC=/opt/llvm/bin/clang", "CFLAGS=\(cflags)"])
        #expect(command.workingDirectory == "/w/stages/instrument/build")
        #expect(command.environment["CC"] == "/opt/llvm/bin/clang")
        #expect(command.environment["CXX"] == "/opt/llvm/bin/clang++")
        #expect(command.environment["AR"] == "/opt/llvm/bin/llvm-ar")
        #expect(command.environment["RANLIB"] == "/opt/llvm/bin/llvm-ranlib")
        #expect(command.environment["CFLAGS"] == cflags)
        #expect(command.environment["LDFLAGS"] == "--ld-path=/opt/llvm/bin/ld.lld -fprofile-generate=/tmp/temper-unused-profile-dir")
        #expect(command.environment["LLVM_PROFILE_FILE"] == "/w/stages/instrument/build-time-profiles/%p.profraw")
        // No LTO in the instrumented build unless asked for.
        #expect(!command.environment["CFLAGS"]!.contains("-flto"))
    }

    @Test func instrumentLTOOnlyWhenTheProfileAsks() throws {
        let stage = BuildStage(variant: .instrument, profile: try profile("[instrument]\nlto = \"thin\""), toolchain: Fixtures.toolchain)
        let command = try stage.plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(command.environment["CFLAGS"]!.contains(" -flto=thin "))
    }

    @Test func optimizeUsesTheMergedProfileLTOAndDiagnostics() throws {
        let stage = BuildStage(variant: .optimize, profileFrom: .merge, profile: try profile(), toolchain: Fixtures.toolchain)
        var merge = StageRecord(fingerprint: "f", status: .completed, outcome: .executed, seconds: 1)
        merge.named["profdata"] = "stages/merge/abc.profdata"
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: 2, upstream: [.merge: merge]))
        let cflags = try #require(plan.steps[0].command.environment["CFLAGS"])
        // The build reads a copy in its own directory, under the same content-addressed name.
        #expect(cflags.hasPrefix("-O2 --start-no-unused-arguments -fprofile-use=/w/cache/pgo/abc.profdata -mllvm -static-func-full-module-prefix=false"))
        #expect(cflags.contains("-mllvm -pgo-warn-missing-function"))
        // An installed tree's debug info names "." rather than the work dir's build directory.
        #expect(cflags.hasSuffix("-flto=thin -fdebug-prefix-map=/w/stages/optimize/build=. --end-no-unused-arguments"))
        #expect(plan.steps[0].command.environment["LDFLAGS"] == "--ld-path=/opt/llvm/bin/ld.lld -flto=thin -Wl,--thinlto-cache-dir=/w/cache/thinlto-optimize")
        #expect(stage.consumes == [.merge])
    }

    @Test func frontendPGOAndFullLTO() throws {
        let stage = BuildStage(variant: .optimize, profileFrom: .merge, profile: try profile("[optimize]\npgo = \"frontend\"\nlto = \"full\""), toolchain: Fixtures.toolchain)
        let command = try stage.plan(PlanContext(workDir: workDir, jobs: 2)).steps[0].command
        #expect(command.environment["CFLAGS"]!.hasPrefix("-O2 --start-no-unused-arguments -fprofile-instr-use={profdata} -Wbackend-plugin"))
        #expect(command.environment["LDFLAGS"] == "--ld-path=/opt/llvm/bin/ld.lld -flto=full")
    }

    @Test func baselineHasOnlyTheBaseFlags() throws {
        let stage = BuildStage(variant: .baseline, profile: try profile(), toolchain: Fixtures.toolchain)
        let command = try stage.plan(PlanContext(workDir: workDir, jobs: 2)).steps[0].command
        #expect(command.environment["CFLAGS"] == "-O2 --start-no-unused-arguments -fdebug-prefix-map=/w/stages/baseline/build=. --end-no-unused-arguments")
        #expect(command.environment["LDFLAGS"] == "--ld-path=/opt/llvm/bin/ld.lld")
        #expect(command.workingDirectory == "/w/stages/baseline/build")
    }

    @Test func jobsStaySymbolicWhileFingerprinting() throws {
        let stage = BuildStage(variant: .instrument, profile: try profile(), toolchain: Fixtures.toolchain)
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil))
        #expect(plan.steps[0].command.arguments[0] == "-j{jobs}")
    }

    @Test func trainGivesEachTaskItsOwnRawProfileDirectory() throws {
        let text = Fixtures.minimalProfile + """

            cwd = "run"
            timeout = 30
            env = { MODE = "{source}/m" }
            """
        let stage = try Fixtures.stage(.train, try Fixtures.parse(text), as: TrainStage.self)
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil))
        #expect(plan.steps.map(\.command) == [
            Command(
                executable: "/w/stages/instrument/build/bin/app", arguments: ["input.txt"],
                environment: ["LLVM_PROFILE_FILE": "/w/stages/train/raw/one/%p.profraw", "MODE": "/p/src/m"],
                workingDirectory: "/w/stages/instrument/build/run", timeout: 30)
        ])
        #expect(stage.consumes == [.instrument])
    }

    @Test func mergeUsesTheToolchainsProfdataWithThreads() throws {
        let stage = try Fixtures.stage(.merge, try profile(), as: MergeStage.self)
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: 3))
        #expect(plan.steps[0].command == Command(
            executable: "/opt/llvm/bin/llvm-profdata",
            arguments: ["merge", "--num-threads=3", "--output=/w/stages/merge/merged.profdata", "--input-files=/w/stages/merge/inputs.txt"],
            workingDirectory: "/w/stages/merge"))
    }

    @Test func composerOrdersStagesAndAddsBaselineOnRequest() throws {
        let names = PipelineComposer.stages(for: try profile(), toolchain: Fixtures.toolchain, baseline: false).map(\.name)
        #expect(names == ["instrument", "train", "merge", "optimize"])
        let withBaseline = PipelineComposer.stages(for: try profile(), toolchain: Fixtures.toolchain, baseline: true).map(\.name)
        #expect(withBaseline == ["instrument", "train", "merge", "optimize", "baseline"])
    }
}

/// CS-IRPGO: a second, context-sensitive instrumented build on the IR profile, trained and
/// merged with it, and the optimize build reading that merge at compile and link time.
@Suite struct ContextSensitivePGOTests {
    @Test func csIRAddsAnInstrumentedBuildATrainingAndAMerge() throws {
        let profile = try Fixtures.parse(Fixtures.minimalProfile + "\n[optimize]\npgo = \"cs-ir\"\n")
        let graph = PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: false)
        #expect(graph.ids == [.instrument, .train, .merge, .csInstrument, .csTrain, .csMerge, .optimize])
        #expect(graph.profileData == .csMerge && graph.roles.profileData == .csMerge)
        let workDir = WorkDir(root: "/w")
        var merge = StageRecord(fingerprint: "m", status: .completed, outcome: .executed, seconds: 1)
        merge.named[output: .profileData] = "stages/merge/abc.profdata"
        merge.outputs["stages/merge/abc.profdata"] = "00"
        let csInstrument = try Fixtures.stage(.csInstrument, profile, as: BuildStage.self)
        #expect(csInstrument.consumes == [.merge])
        let flags = try #require(try csInstrument.plan(PlanContext(workDir: workDir, jobs: 1, upstream: [.merge: merge])).build.first?.environment["CFLAGS"])
        #expect(flags.contains("-fprofile-use=/w/cache/pgo/abc.profdata") && flags.contains("-fcs-profile-generate="))
        // The context-sensitive merge takes the IR profile with the new raw profiles.
        let csMerge = try Fixtures.stage(.csMerge, profile, as: MergeStage.self)
        #expect(csMerge.consumes == [.csTrain, .merge])
        let plan = try csMerge.plan(PlanContext(workDir: workDir, jobs: 1, upstream: [.merge: merge]))
        #expect(plan.rawProfiles == ["/w/stages/merge/abc.profdata"] && plan.pgo == .csir)
        // The optimize build reads the merge at the link too (LTO's backend applies the CS part).
        var csMerged = StageRecord(fingerprint: "c", status: .completed, outcome: .executed, seconds: 1)
        csMerged.named[output: .profileData] = "stages/cs-merge/def.profdata"
        let optimize = try Fixtures.stage(.optimize, profile, as: BuildStage.self)
        #expect(optimize.consumes == [.csMerge])
        let ldflags = try #require(try optimize.plan(PlanContext(workDir: workDir, jobs: 1, upstream: [.csMerge: csMerged])).build.first?.environment["LDFLAGS"])
        #expect(ldflags.contains("-fprofile-use=/w/cache/pgo/def.profdata"))
        // Plain IR PGO keeps its graph.
        let ir = try Fixtures.parse(Fixtures.minimalProfile)
        #expect(PipelineComposer.graph(for: ir, toolchain: Fixtures.toolchain, baseline: false).ids == [.instrument, .train, .merge, .optimize])
    }
}
