import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// BOLT's plans, flags, parsing and profile path patching, as data.
@Suite struct BoltPlanTests {
    static let bolt = BoltTools(
        bolt: Tool(role: "bolt", path: "/opt/llvm/bin/llvm-bolt", version: "22.1.8", major: 22),
        mergeFdata: Tool(role: "bolt", path: "/opt/llvm/bin/merge-fdata", version: "22.1.8", major: 22),
        perf2bolt: nil, directory: "/opt/llvm/bin")
    let workDir = WorkDir(root: "/w")

    func profile(_ bolt: String = "", extra: String = "") throws -> PipelineProfile {
        try Fixtures.parse(Fixtures.minimalProfile + "\n" + extra + "\n[bolt]\nenabled = true\n" + bolt)
    }

    @Test func perfSampleTrainingPlansItsPerf2boltRuns() throws {
        var tools = Self.bolt
        tools.perf2bolt = Tool(role: "bolt", path: "/opt/llvm/bin/perf2bolt", version: "22.1.8", major: 22)
        let stage = try Fixtures.stage(.boltTrain, try profile("mode = \"sample\"\n"), bolt: tools, as: TrainStage.self)
        let steps = try stage.plan(PlanContext(workDir: workDir, jobs: nil)).steps
        // Every process bolt-train starts is planned: the task under perf, then perf2bolt per artifact.
        let conversions = steps.filter { $0.command.executable == "/opt/llvm/bin/perf2bolt" }
        #expect(!conversions.isEmpty && conversions.count == steps.filter { $0.label.hasPrefix("task ") }.count)
        let raw = try #require(conversions.first?.command.workingDirectory)
        #expect(raw.hasPrefix("/w/stages/bolt-train/raw/"))
        #expect(conversions.first?.command.arguments.prefix(4) == ["-p", raw + "/perf.data", "-o", raw + "/app/prof.fdata"])
    }

    @Test func parsesBoltVerifyAndBoltTrain() throws {
        let text = Fixtures.minimalProfile + """

            [bolt]
            enabled = true
            artifacts = ["app"]
            extra_flags = ["-frame-opt=hot"]
            pie = true
            compare = "status"
            timing_runs = 3
            [[bolt.train.task]]
            name = "bolt-only"
            run = ["{artifact:app}", "x"]
            [verify]
            run = ["{artifact:app}", "--check"]
            timeout = 60
            """
        let parsed = try Fixtures.parse(text)
        #expect(parsed.bolt.enabled && parsed.bolt.pie)
        #expect(parsed.bolt.compare == .status)
        #expect(try parsed.bolt.timingRuns == 3 && Fixtures.parse(Fixtures.minimalProfile).bolt.timingRuns == 5)
        let noRuns = try #require(throws: ProfileError.self) { try Fixtures.parse(Fixtures.minimalProfile + "\n[bolt]\ntiming_runs = 0\n") }
        #expect(noRuns.description.contains("bolt.timing_runs") && noRuns.description.contains("use 1 to 1000"))
        #expect(parsed.boltTraining.tasks.map(\.name) == ["bolt-only"])
        #expect(parsed.verifyTask.run == ["{artifact:app}", "--check"])
        #expect(parsed.verifyTask.timeout == 60)
        let unknown = try #require(throws: ProfileError.self) { try Fixtures.parse(Fixtures.minimalProfile + "\n[bolt]\nartifacts = [\"nope\"]\n") }
        #expect(unknown.description.contains("`nope` is not the file name of any [build] artifact"))
        #expect(throws: ProfileError.self) { try Fixtures.parse(Fixtures.minimalProfile + "\n[bolt]\nicf = true\n") }
    }

    @Test func defaultArtifactsAreTheExecutables() throws {
        let text = Fixtures.minimalProfile.replacingOccurrences(of: "artifacts = [\"bin/app\"]", with: "artifacts = [\"bin/app\", \"lib/libx.so.1\", \"lib/liby.a\"]")
        #expect(try Fixtures.parse(text).boltArtifacts.map(\.name) == ["app"])
        #expect(try Fixtures.parse(text + "\n[bolt]\nartifacts = [\"libx.so.1\"]\n").boltArtifacts.map(\.path) == ["lib/libx.so.1"])
    }

    @Test func onlyTheBoltBuildGetsBoltInputs() throws {
        func command(_ variant: BuildVariant, _ profile: PipelineProfile, _ toolchain: Toolchain = Fixtures.toolchain) throws -> Command {
            try BuildStage(variant: variant, profileFrom: variant.isOptimized ? .merge : nil, profile: profile, toolchain: toolchain)
                .plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        }
        // The default: BOLT on a PIE, so only --emit-relocs sets bolt-build apart.
        let boltBuild = try command(.boltBuild, profile())
        #expect(boltBuild.environment["CFLAGS"]!.hasSuffix("-flto=thin -fdebug-prefix-map=/w/stages/bolt-build/build=. --end-no-unused-arguments"))
        #expect(!boltBuild.environment["CFLAGS"]!.contains("-no-pie"))
        #expect(boltBuild.environment["LDFLAGS"]!.hasSuffix("-Wl,--thinlto-cache-dir=/w/cache/thinlto-optimize -Wl,--emit-relocs"))
        // The optimize build is what ships: the same whether BOLT is on or off.
        let optimize = try command(.optimize, profile())
        let plain = try command(.optimize, Fixtures.parse(Fixtures.minimalProfile))
        #expect(optimize == plain && !optimize.environment["LDFLAGS"]!.contains("emit-relocs"))
        let baseline = try command(.baseline, profile())
        #expect(baseline.environment["CFLAGS"] == "-O2 --start-no-unused-arguments -fdebug-prefix-map=/w/stages/baseline/build=. --end-no-unused-arguments")
        #expect(!baseline.environment["LDFLAGS"]!.contains("emit-relocs"))
        // A non-PIE BOLT input, accepted explicitly; -no-pie inside the possibly-unused block.
        let fixed = try command(.boltBuild, profile("accept_non_pie = true"))
        #expect(fixed.environment["CFLAGS"]!.hasSuffix("-fno-pie -no-pie --end-no-unused-arguments") && fixed.environment["CFLAGS"]!.hasPrefix("-O2 --start-no-unused-arguments"))
        #expect(fixed.environment["LDFLAGS"]!.hasSuffix("-no-pie -Wl,--emit-relocs"))
        #expect(try command(.optimize, profile("accept_non_pie = true")) == plain)
        let gcc = try command(.boltBuild, profile(), GCCTests.gcc)
        #expect(gcc.environment["CFLAGS"]!.contains("-fno-reorder-blocks-and-partition") && !gcc.environment["CFLAGS"]!.contains("no-unused-arguments"))
        #expect(!(try command(.optimize, profile(), GCCTests.gcc)).environment["CFLAGS"]!.contains("-fno-reorder-blocks-and-partition"))
    }

    @Test func nonPIEBoltNeedsAnExplicitAcceptance() throws {
        let refused = try #require(throws: ProfileError.self) { try profile("pie = false") }
        #expect(refused.description.contains("accept_non_pie = true") && refused.description.contains("bolt.pie"))
        #expect(try profile("pie = false\naccept_non_pie = true").bolt.pie == false)
        #expect(try profile("accept_non_pie = true").bolt.pie == false)
        #expect(try profile().bolt.pie && !(try profile().bolt.acceptNonPIE))
    }

    @Test func composerAddsBoltStagesAfterOptimize() throws {
        let names = PipelineComposer.stages(for: try profile(), toolchain: Fixtures.toolchain, baseline: true, bolt: Self.bolt).map(\.name)
        #expect(names == ["instrument", "train", "merge", "optimize", "bolt-build", "bolt-instrument", "bolt-train", "bolt-merge", "bolt-optimize", "baseline"])
        let off = PipelineComposer.stages(for: try Fixtures.parse(Fixtures.minimalProfile), toolchain: Fixtures.toolchain, baseline: false, bolt: Self.bolt)
        #expect(off.count == 4)
        // BOLT's candidates are checked against the plain build, which is also the pre-BOLT side.
        let graph = PipelineComposer.graph(for: try profile(), toolchain: Fixtures.toolchain, baseline: false, bolt: Self.bolt)
        #expect(graph.optimizedProducers == [.boltOptimize, .optimize] && graph.optimizedBuild.stage == .optimize && graph.boltInput?.stage == .boltBuild)
        let optimize = try #require(graph.stages.first { $0.id == .boltOptimize } as? BoltOptimizeStage)
        #expect(optimize.consumes == [.boltMerge, .boltBuild, .optimize])
        // Tune's candidates: no plain build, nothing published from the BOLT-ready one.
        var tuned = try profile()
        ProfileVariant(overrides: TuneOverrides(), bolt: .candidates(["default"], pie: false)).apply(to: &tuned)
        let candidates = PipelineComposer.graph(for: tuned, toolchain: Fixtures.toolchain, baseline: false, bolt: Self.bolt)
        #expect(!candidates.ids.contains(.optimize) && candidates.optimizedProducers == [.boltOptimize] && candidates.optimizedBuild.stage == .boltBuild)
    }

    @Test func instrumentBakesAPlaceholderProfilePathPerArtifact() throws {
        let stage = try Fixtures.stage(.boltInstrument, try profile(), bolt: Self.bolt, as: BoltInstrumentStage.self)
        let command = try stage.plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(command.executable == "/opt/llvm/bin/llvm-bolt")
        #expect(command.arguments == [
            "/w/stages/bolt-build/build/bin/app", "-instrument",
            "-instrumentation-file=/w/stages/bolt-train/raw/@@@@@@@@@@@@@@@@/app/prof.fdata",
            "-instrumentation-file-append-pid", "-o", "/w/stages/bolt-instrument/app",
        ])
    }

    @Test func boltTrainSwapsInTheTasksPatchedCopy() throws {
        let stage = try Fixtures.stage(.boltTrain, try profile(), bolt: Self.bolt, as: TrainStage.self)
        #expect(stage.name == "bolt-train" && stage.consumes == [.boltInstrument, .boltBuild])
        let command = try stage.plan(PlanContext(workDir: workDir, jobs: nil)).steps[0].command
        let key = BoltPaths.taskKey("one")
        #expect(key.count == BoltPaths.placeholder.count)
        // The task runs in its own mirror of the optimized build, with its patched copy in place.
        #expect(command.executable == "/w/stages/bolt-train/tree/\(key)/bin/app")
        #expect(command.workingDirectory == "/w/stages/bolt-train/tree/\(key)")
        #expect(command.environment.isEmpty)
    }

    @Test func optimizeFlagsDefaultExtraAndReplaced() throws {
        let defaults = try Fixtures.stage(.boltOptimize, try profile(), bolt: Self.bolt, as: BoltOptimizeStage.self).flags
        #expect(defaults == ["-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-split-all-cold", "-split-eh", "-update-debug-sections", "-no-huge-pages", "-dyno-stats", "-v=1"])
        let extra = try Fixtures.stage(.boltOptimize, try profile("extra_flags = [\"-frame-opt=hot\"]"), bolt: Self.bolt, as: BoltOptimizeStage.self).flags
        #expect(extra.contains("-frame-opt=hot") && extra.contains("-reorder-blocks=ext-tsp"))
        let replaced = try Fixtures.stage(.boltOptimize, try profile("flags = [\"-reorder-blocks=none\"]"), bolt: Self.bolt, as: BoltOptimizeStage.self).flags
        #expect(replaced == ["-reorder-blocks=none", "-dyno-stats", "-v=1"])
        var old = Self.bolt
        old.bolt?.major = 17
        #expect(BoltFlags.defaults(for: old).contains("-reorder-functions=hfsort+"))
    }

    /// A profile in which `run` dispatches through a jump table (one site, many targets) and
    /// `main` has ordinary branches.
    static let dispatchProfile = (0..<6).map { "1 run/1 40 1 run/1 \(100 + 16 * $0) 0 \(1000 + $0)" }.joined(separator: "\n")
        + "\n1 main 10 1 main 20 0 500\n1 main 10 1 main 30 0 400\n1 main 4 1 run/1 0 0 7\n"

    /// Thousands of dispatch functions never make the llvm-bolt command too long to start: the
    /// list goes to llvm-bolt in a file, written from the plan.
    @Test func aLongDispatchListGoesToLLVMBoltInAFile() throws {
        let root = try Fixtures.temporaryDirectory()
        let workDir = WorkDir(root: root)
        try workDir.makeDirectory(workDir.stageDirectory(.boltMerge))
        let functions = (0..<5000).map { "dispatch_function_number_\($0)/1" }
        try Data(functions.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: workDir.stageDirectory(.boltMerge) + "/app.dispatch"))
        let stage = try Fixtures.stage(.boltOptimize, try profile(), bolt: Self.bolt, as: BoltOptimizeStage.self)
        let merge = StageRecord(fingerprint: "m", status: .completed, outcome: .executed, seconds: 1)
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: 1, upstream: [.boltMerge: merge]))
        let arguments = try Fixtures.command("llvm-bolt app [skip-dispatch]", in: plan).arguments
        #expect(arguments.contains("-skip-funcs-file=skip-funcs-skip-dispatch.txt") && !arguments.contains { $0.hasPrefix("-skip-funcs=") })
        #expect(arguments.joined(separator: " ").utf8.count < 16 << 10)
        #expect(plan.skipLists == [.init(path: root + "/stages/bolt-optimize/skip-funcs-skip-dispatch.txt", functions: functions)])
    }

    @Test func candidatesAreBuiltVerifiedAndMeasuredEachInItsOwnTree() throws {
        let root = try Fixtures.temporaryDirectory()
        let workDir = WorkDir(root: root)
        try workDir.makeDirectory(workDir.stageDirectory(.boltMerge))
        try Data("run/1\n".utf8).write(to: URL(fileURLWithPath: workDir.stageDirectory(.boltMerge) + "/app.dispatch"))
        let parsed = try profile(
            "extra_flags = [\"-frame-opt=hot\"]\nselection_runs = 7\n[bolt.candidates]\ntight = [\"-reorder-blocks=none\"]",
            extra: "[verify]\nrun = [\"{artifact:app}\", \"--check\"]\n[bench]\nrun = [\"{artifact:app}\", \"--bench\"]")
        let stage = try Fixtures.stage(.boltOptimize, parsed, bolt: Self.bolt, as: BoltOptimizeStage.self)
        let merge = StageRecord(fingerprint: "m", status: .completed, outcome: .executed, seconds: 1)
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: 1, upstream: [.boltMerge: merge]))
        let sides = ["default", "skip-dispatch", "tight"]
        #expect(plan.steps.map(\.label) == sides.map { "llvm-bolt app [\($0)]" }
            + ["verify (pre-BOLT)"] + sides.map { "verify [\($0)]" }
            + ["measure (pre-BOLT)"] + sides.map { "measure [\($0)]" })
        #expect(plan.rounds == 7 && plan.select == .fastest && plan.workload == "bench")
        func arguments(_ label: String) throws -> [String] { try Fixtures.command(label, in: plan).arguments }
        // Each candidate writes into its own mirror; the default keeps the old `tree`. Paths are
        // relative to bolt-optimize's directory: BOLT records its command line in the binary.
        #expect(try Fixtures.command("llvm-bolt app [default]", in: plan).workingDirectory == root + "/stages/bolt-optimize")
        #expect(try arguments("llvm-bolt app [default]").contains("tree/bin/app"))
        #expect(try arguments("llvm-bolt app [tight]").contains("tree-tight/bin/app"))
        #expect(try !arguments("llvm-bolt app [tight]").contains { $0.contains(root) })
        // The dispatch function found in the profile is skipped; extra_flags go to every candidate.
        #expect(try arguments("llvm-bolt app [skip-dispatch]").contains("-skip-funcs=run/1"))
        // The profile is read from a copy in the stage's own directory (BOLT records the path).
        #expect(try arguments("llvm-bolt app [tight]").starts(with: ["../bolt-build/build/bin/app", "-data=profile/app.fdata"]))
        for side in sides { #expect(try arguments("llvm-bolt app [\(side)]").contains("-frame-opt=hot")) }
        #expect(try !arguments("llvm-bolt app [tight]").contains("-reorder-blocks=ext-tsp"))
        // Verify and measure run the same command on every side, each against its own tree.
        let verify = try Fixtures.command("verify (pre-BOLT)", in: plan)
        #expect(verify.executable == root + "/stages/optimize/build/bin/app" && verify.arguments == ["--check"])
        for side in sides {
            let command = try Fixtures.command("verify [\(side)]", in: plan)
            #expect(command.arguments == verify.arguments)
            #expect(command.executable.hasPrefix(root + "/stages/bolt-optimize/tree"))
            #expect(try Fixtures.command("measure [\(side)]", in: plan).arguments.contains("--bench"))
        }
        // Planned ahead of a run (no bolt-merge record), the dispatch set is described, not guessed.
        let ahead = try stage.plan(PlanContext(workDir: workDir, jobs: 1))
        #expect(try Fixtures.command("llvm-bolt app [skip-dispatch]", in: ahead).arguments.contains("-skip-funcs=<the dispatch functions found in the profile>"))
    }

    @Test func dispatchFunctionsAreTheOnesWithManyTargetedBranchSites() {
        #expect(DispatchFunctions.find(fdata: Self.dispatchProfile) == ["run/1"])
        // Ordinary two-way branches, calls between functions: no dispatch function.
        #expect(DispatchFunctions.find(fdata: "1 main 10 1 main 20 0 500\n1 main 10 1 main 30 0 400\n1 main 4 1 run/1 0 0 7\n").isEmpty)
        #expect(DispatchFunctions.find(fdata: "").isEmpty)
        // A function with a negligible share of the indirect traffic is left to BOLT.
        let rare = (0..<5).map { "1 rare 8 1 rare \(64 + 8 * $0) 0 1" }.joined(separator: "\n")
        #expect(DispatchFunctions.find(fdata: Self.dispatchProfile + rare) == ["run/1"])
    }

    @Test func selectionKeepsBoltOnlyWhenFasterWithConfidence() {
        let pre = BoltSelection.Measured(name: "pre-BOLT", seconds: [1.00, 1.01, 0.99, 1.02, 1.00, 0.98, 1.01], instructions: 1000)
        let faster = BoltSelection.Measured(name: "default", seconds: [0.90, 0.91, 0.89, 0.92, 0.90, 0.88, 0.91], instructions: 990)
        let slower = BoltSelection.Measured(name: "slow", seconds: [1.10, 1.12, 1.09, 1.11, 1.10, 1.13, 1.08], instructions: 1000)
        let noisy = BoltSelection.Measured(name: "noisy", seconds: [0.70, 1.30, 0.95, 1.20, 0.80, 1.10, 0.90], instructions: 1000)
        let kept = BoltSelection.decide(preBolt: pre, candidates: [slower, faster, noisy], select: .fastest)
        #expect(kept.published == "default")
        #expect(kept.reason.hasPrefix("kept: default") && kept.reason.contains("instructions -1.00%"))
        #expect((kept.ratios["default"]?.high ?? 1) < 1 && (kept.ratios["slow"]?.low ?? 0) > 1)
        let none = BoltSelection.decide(preBolt: pre, candidates: [slower, noisy], select: .fastest)
        #expect(none.published == nil && none.reason.hasPrefix("not kept"))
        // Faster with confidence while executing a little more: kept, and the report says so.
        var heavier = faster
        heavier.instructions = 1010
        let more = BoltSelection.decide(preBolt: pre, candidates: [heavier], select: .fastest)
        #expect(more.published == "default" && more.reason.contains("instructions +1.00%"))
        // "always" takes the lowest median whatever its interval.
        #expect(BoltSelection.decide(preBolt: pre, candidates: [slower], select: .always).published == "slow")
        #expect(BoltSelection.decide(preBolt: pre, candidates: [], select: .always).published == nil)
    }

    @Test func parsesTheSelectionSettings() throws {
        let parsed = try profile("select = \"always\"\nselection_runs = 9\ninstructions = false\ndispatch_candidate = false\n[bolt.candidates]\nb = [\"-x\"]\na = [\"-y\"]")
        #expect(parsed.bolt.select == .always && parsed.bolt.rounds == 9 && !parsed.bolt.selectionInstructions)
        #expect(parsed.bolt.candidates == [BoltFlagSet(name: "a", flags: ["-y"]), BoltFlagSet(name: "b", flags: ["-x"])])
        #expect(BoltCandidate.all(profile: parsed, tools: Self.bolt, dispatch: ["app": ["run/1"]]).map(\.name) == ["default", "a", "b"])
        #expect(try profile("timing_runs = 4").bolt.rounds == 4)
        let reserved = try #require(throws: ProfileError.self) { try profile("[bolt.candidates]\ndefault = [\"-x\"]") }
        #expect(reserved.description.contains("`bolt.candidates.default`"))
        let bad = try #require(throws: ProfileError.self) { try profile("select = \"best\"") }
        #expect(bad.description.contains("expected \"fastest\" or \"always\""))
    }

    @Test func parsesDynoStatsAndUnprocessedFunctions() {
        let log = """
            BOLT-WARNING: failed to post-process indirect branches for run/1(*2)
            BOLT-WARNING: failed to post-process indirect branches for deregister_tm_clones/1(*2)
            BOLT-INFO: program-wide dynostats after all optimizations before SCTC and FOP:

                        81091658 : executed forward branches
                        29140105 : taken branches
                       607129614 : executed instructions

                        69892698 : executed forward branches (-13.8%)
                        26140105 : taken branches (-10.3%)
                       604800448 : executed instructions (-0.4%)
            BOLT-INFO: something else
            """
        let parsed = BoltOutput.parse(log)
        #expect(parsed.before == ["executed_forward_branches": 81091658, "taken_branches": 29140105, "executed_instructions": 607129614])
        #expect(parsed.after["taken_branches"] == 26140105)
        #expect(parsed.failedFunctions == ["run/1", "deregister_tm_clones/1"])
        let hot = BoltOutput.hotness(fdata: "1 run/1 4bf 1 run/1 4c1 0 2401804\n1 run/1 10 1 main 0 0 5\n1 main 4 1 main 8 0 7\n")
        #expect(hot == ["run/1": 2401809, "main": 7])
    }

    @Test func patchingWritesTheTaskKeyIntoEachCopy() throws {
        let root = WorkDir(root: try Fixtures.temporaryDirectory())
        let parsed = try profile()
        let instrumented = root.stageDirectory(.boltInstrument)
        try root.makeDirectory(instrumented)
        let baked = "prefix " + BoltPaths.instrumentationFile(rawRoot: root.stageDirectory(.boltTrain) + "/raw", "app") + " middle " + BoltPaths.placeholder + " end"
        try Data(baked.utf8).write(to: URL(fileURLWithPath: instrumented + "/app"))
        // The optimized build the mirror is made from: the artifact and a file next to it.
        let build = root.stageDirectory(.optimize) + "/build"
        try root.makeDirectory(build + "/bin")
        try Data("original".utf8).write(to: URL(fileURLWithPath: build + "/bin/app"))
        try Data("stdlib".utf8).write(to: URL(fileURLWithPath: build + "/bin/data.txt"))
        let key = BoltPaths.taskKey("one")
        let tree = root.stageDirectory(.boltTrain) + "/tree/" + key
        try BoltPaths.prepareTask(
            parsed, workDir: root, build: build, instrumented: instrumented, tree: tree, key: key,
            rawDirectory: root.stageDirectory(.boltTrain) + "/raw/" + key, stage: "bolt-train")
        let copy = try String(contentsOfFile: tree + "/bin/app", encoding: .utf8)
        #expect(try String(contentsOfFile: tree + "/bin/data.txt", encoding: .utf8) == "stdlib")
        // Replaced as a new file: the optimized build's artifact is untouched.
        #expect(try String(contentsOfFile: build + "/bin/app", encoding: .utf8) == "original")
        #expect(!copy.contains(BoltPaths.placeholder))
        #expect(copy.count == baked.count)
        #expect(copy.contains("/raw/\(key)/app/prof.fdata"))
        #expect(FileManager.default.fileExists(atPath: root.stageDirectory(.boltTrain) + "/raw/\(key)/app"))
        // A binary without the placeholder is refused rather than silently misdirected.
        try Data("no placeholder".utf8).write(to: URL(fileURLWithPath: instrumented + "/app"))
        #expect(throws: StageError.self) {
            try BoltPaths.prepareTask(parsed, workDir: root, build: build, instrumented: instrumented, tree: tree, key: key, rawDirectory: root.root + "/r", stage: "bolt-train")
        }
    }

    @Test func overwritingFindsEveryOccurrenceUpToTheLastByte() {
        func patched(_ text: String) -> (String, Int) {
            var data = Data(text.utf8)
            let count = BoltPaths.overwrite("@@@", with: "abc", in: &data)
            return (String(decoding: data, as: UTF8.self), count)
        }
        #expect(patched("@@@") == ("abc", 1))
        #expect(patched("x@@@@y@@@") == ("xabc@yabc", 2))
        #expect(patched("@@ @ @@") == ("@@ @ @@", 0))
        #expect(patched("") == ("", 0))
    }
}
