import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Profiles/cpython.toml, checked without building CPython (that does not run in CI).
@Suite struct CPythonProfileTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Profiles/cpython.toml").standardizedFileURL.path

    @Test func parsesAndPlansShardedTrainingWithBolt() throws {
        let profile = try ProfileParser.parse(String(contentsOfFile: Self.path, encoding: .utf8), file: Self.path)  // its source is fetched separately
        #expect(profile.name == "cpython")
        #expect(profile.source.hasSuffix("/Profiles/sources/python3.11"))
        #expect(profile.optimize == OptimizeSettings(pgo: .ir, lto: .thin))
        #expect(profile.bolt.enabled && profile.bolt.compare == .status)
        #expect(profile.train.jobs == 2)

        let stages = PipelineComposer.stages(for: profile, toolchain: Fixtures.toolchain, baseline: true, bolt: BoltPlanTests.bolt)
        #expect(stages.map(\.name) == ["instrument", "train", "merge", "optimize", "bolt-build", "bolt-instrument", "bolt-train", "bolt-merge", "bolt-optimize", "baseline"])

        // Shards: CPython's 44 --pgo tests, each exactly once, each shard with its own profiles.
        let workDir = WorkDir(root: "/w")
        let train = try stages[1].plan(PlanContext(workDir: workDir, jobs: nil)).steps.map(\.command)
        #expect(train.count == 4)
        var tests: [String] = []
        for command in train {
            #expect(command.executable == "/w/stages/instrument/build/python")
            #expect(Array(command.arguments.prefix(4)) == ["-m", "test", "--pgo", "--timeout=1200"])
            tests += command.arguments.dropFirst(4)
        }
        #expect(tests.count == 44 && Set(tests).count == 44)
        #expect(Set(train.map { $0.environment["LLVM_PROFILE_FILE"]! }).count == 4)

        // Flags only through CFLAGS_NODIST / LDFLAGS_NODIST, never exported to configure.
        let build = try stages[0].plan(PlanContext(workDir: workDir, jobs: 2)).steps
        #expect(build.map(\.label) == ["configure", "build", "build", "build"])
        #expect(build[0].command.environment["CFLAGS"] == nil)
        // So optimize, bolt-build and baseline configure during the instrumented build.
        #expect((stages[0] as? BuildStage)?.configuresAhead.map(\.name) == ["optimize", "bolt-build", "baseline"])
        // The instrumented build alone drops debug info ([instrument] cflags).
        for step in build.dropFirst() {
            #expect(step.command.arguments.contains(
                "CFLAGS_NODIST=-gdwarf-4 -g0 --start-no-unused-arguments -fprofile-generate=/tmp/temper-unused-profile-dir -mllvm -static-func-full-module-prefix=false -fdebug-prefix-map=/w/stages/instrument/build=. --end-no-unused-arguments"))
        }
        // optimize is what ships: no BOLT flags; bolt-build (BOLT's input) keeps PIE and adds relocations.
        let optimize = try stages[3].plan(PlanContext(workDir: workDir, jobs: 2)).steps.dropFirst().map(\.command)
        let boltBuild = try stages[4].plan(PlanContext(workDir: workDir, jobs: 2)).steps.dropFirst().map(\.command)
        for command in optimize {
            #expect(!command.arguments.contains { $0.contains("-Wl,--emit-relocs") || $0.contains("-no-pie") })
            #expect(!command.arguments.contains { $0.contains("-g0") })
        }
        for command in boltBuild {
            #expect(command.arguments.contains { $0.hasPrefix("LDFLAGS_NODIST=") && $0.contains("-Wl,--emit-relocs") && !$0.contains("-no-pie") })
        }
        // Build-time tools get a quick LTO code generation; python and the rest the full one.
        #expect(optimize[0].arguments.suffix(2) == ["Programs/_freeze_module", "_bootstrap_python"])
        #expect(optimize[0].arguments.contains { $0.hasPrefix("LDFLAGS_NODIST=") && $0.hasSuffix(" -Wl,--lto-O0") })
        #expect(!optimize[1].arguments.contains { $0.contains("--lto-O0") } && optimize[1].arguments.last == "python")
    }

    @Test func theBenchScriptIsWhereTheProfileSaysItIs() throws {
        let profile = try ProfileParser.parse(String(contentsOfFile: Self.path, encoding: .utf8), file: Self.path)  // its source is fetched separately
        let script = try #require(profile.bench?.run.last).replacingOccurrences(of: "{source}", with: profile.source)
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: script).standardizedFileURL.path))
    }
}
