import Foundation
import Testing
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

    @Test func optimizeAndBaselineGetBoltInputs() throws {
        let optimize = try BuildStage(variant: .optimize, profileFrom: .merge, profile: profile(), toolchain: Fixtures.toolchain).plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(optimize.environment["CFLAGS"]!.hasSuffix("-flto=thin -fno-pie -no-pie"))
        #expect(optimize.environment["LDFLAGS"]!.hasSuffix("-no-pie -Wl,--emit-relocs"))
        let baseline = try BuildStage(variant: .baseline, profile: profile(), toolchain: Fixtures.toolchain).plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(baseline.environment["CFLAGS"] == "-O2 -fno-pie -no-pie")
        #expect(!baseline.environment["LDFLAGS"]!.contains("emit-relocs"))
        let instrument = try BuildStage(variant: .instrument, profile: profile(), toolchain: Fixtures.toolchain).plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(!instrument.environment["CFLAGS"]!.contains("-fno-pie"))
        let pie = try BuildStage(variant: .optimize, profileFrom: .merge, profile: profile("pie = true"), toolchain: Fixtures.toolchain).plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(!pie.environment["CFLAGS"]!.contains("-fno-pie") && pie.environment["LDFLAGS"]!.contains("--emit-relocs"))
        let gcc = try BuildStage(variant: .optimize, profileFrom: .merge, profile: profile(), toolchain: GCCTests.gcc).plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(gcc.environment["CFLAGS"]!.contains("-fno-reorder-blocks-and-partition"))
    }

    @Test func composerAddsBoltStagesAfterOptimize() throws {
        let names = PipelineComposer.stages(for: try profile(), toolchain: Fixtures.toolchain, baseline: true, bolt: Self.bolt).map(\.name)
        #expect(names == ["instrument", "train", "merge", "optimize", "bolt-instrument", "bolt-train", "bolt-merge", "bolt-optimize", "baseline"])
        let off = PipelineComposer.stages(for: try Fixtures.parse(Fixtures.minimalProfile), toolchain: Fixtures.toolchain, baseline: false, bolt: Self.bolt)
        #expect(off.count == 4)
    }

    @Test func instrumentBakesAPlaceholderProfilePathPerArtifact() throws {
        let stage = try Fixtures.stage(.boltInstrument, try profile(), bolt: Self.bolt, as: BoltInstrumentStage.self)
        let command = try stage.plan(PlanContext(workDir: workDir, jobs: 1)).steps[0].command
        #expect(command.executable == "/opt/llvm/bin/llvm-bolt")
        #expect(command.arguments == [
            "/w/stages/optimize/build/bin/app", "-instrument",
            "-instrumentation-file=/w/stages/bolt-train/raw/@@@@@@@@@@@@@@@@/app/prof.fdata",
            "-instrumentation-file-append-pid", "-o", "/w/stages/bolt-instrument/app",
        ])
    }

    @Test func boltTrainSwapsInTheTasksPatchedCopy() throws {
        let stage = try Fixtures.stage(.boltTrain, try profile(), bolt: Self.bolt, as: TrainStage.self)
        #expect(stage.name == "bolt-train" && stage.consumes == [.boltInstrument, .optimize])
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
        #expect(defaults == ["-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-split-all-cold", "-split-eh", "-use-gnu-stack", "-update-debug-sections", "-dyno-stats", "-v=1"])
        let extra = try Fixtures.stage(.boltOptimize, try profile("extra_flags = [\"-frame-opt=hot\"]"), bolt: Self.bolt, as: BoltOptimizeStage.self).flags
        #expect(extra.contains("-frame-opt=hot") && extra.contains("-reorder-blocks=ext-tsp"))
        let replaced = try Fixtures.stage(.boltOptimize, try profile("flags = [\"-reorder-blocks=none\"]"), bolt: Self.bolt, as: BoltOptimizeStage.self).flags
        #expect(replaced == ["-reorder-blocks=none", "-dyno-stats", "-v=1"])
        var old = Self.bolt
        old.bolt?.major = 17
        #expect(BoltFlags.defaults(for: old).contains("-reorder-functions=hfsort+"))
    }

    @Test func verifyRunsTheSameCommandOnBothSides() throws {
        let stage = try Fixtures.stage(.boltOptimize, try profile(extra: "[verify]\nrun = [\"{artifact:app}\", \"--check\"]"), bolt: Self.bolt, as: BoltOptimizeStage.self)
        let steps = try stage.plan(PlanContext(workDir: workDir, jobs: 1)).steps
        #expect(steps.map(\.label) == ["llvm-bolt app", "verify (pre-BOLT)", "verify (BOLTed)"])
        #expect(steps[1].command.executable == "/w/stages/optimize/build/bin/app")
        #expect(steps[2].command.executable == "/w/stages/bolt-optimize/tree/bin/app")
        #expect(steps[0].command.arguments.contains("/w/stages/bolt-optimize/tree/bin/app"))
        #expect(steps[1].command.arguments == steps[2].command.arguments)
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
