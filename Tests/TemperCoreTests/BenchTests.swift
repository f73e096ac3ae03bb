import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

@Suite struct BenchTests {
    @Test func benchRendersTheProfileCommandAgainstAVariantsArtifacts() throws {
        let profile = try Fixtures.parse(Fixtures.minimalProfile + "\n[bench]\nrun = [\"{artifact:app}\", \"{source}/in\"]\nenv = { K = \"{source}\" }\n")
        #expect(try BenchRun.command(profile: profile, artifacts: ["app": "/w/out/app"])
            == Command(executable: "/w/out/app", arguments: ["/p/src/in"], environment: ["K": "/p/src"], workingDirectory: "/w/out"))
        #expect(throws: BenchError.noBench(file: "/p/profile.toml")) {
            try BenchRun.command(profile: try Fixtures.parse(Fixtures.minimalProfile), artifacts: [:])
        }
    }

    @Test func variantsComeOnlyFromRecordsThatHoldNow() throws {
        let profile = try Fixtures.parse(Fixtures.minimalProfile + "\n[bolt]\nenabled = true\n")
        let graph = PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: true, bolt: BoltPlanTests.bolt)
        var state = PipelineState(profile: "mini")
        var optimize = StageRecord(fingerprint: "o", status: .completed, outcome: .executed, seconds: 1)
        optimize.named["artifact:app"] = "stages/optimize/build/bin/app"
        state.stages["optimize"] = optimize
        // A completed BOLT record from an earlier run, and a baseline, neither current in this run.
        var bolt = StageRecord(fingerprint: "b-old", status: .completed, outcome: .executed, seconds: 1)
        bolt.named["artifact:app"] = "stages/bolt-optimize/app"
        state.stages["bolt-optimize"] = bolt
        var baseline = StageRecord(fingerprint: "base", status: .completed, outcome: .executed, seconds: 1)
        baseline.named["artifact:app"] = "stages/baseline/build/bin/app"
        state.stages["baseline"] = baseline
        let reports: [PipelineExecutor.StageReport] = [
            .init(id: .optimize, outcome: .reused, seconds: 0, fingerprint: "o"),
            .init(id: .boltOptimize, outcome: .executed, seconds: 0, fingerprint: "b-new"),  // re-ran, record not yet written
            .init(id: .baseline, outcome: .pending, seconds: 0),
        ]
        let current = graph.currentRecords(state, reports: reports)
        #expect(Set(current.keys) == [.optimize])
        let found = BenchRun.artifacts(profile: profile, workDir: WorkDir(root: "/w"), graph: graph, current: current)
        #expect(found == [.pgoLTO: ["app": "/w/stages/optimize/build/bin/app"]])
        // Without BOLT in the pipeline, a matching bolt-optimize record is still not current.
        let noBolt = PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: false, bolt: nil)
        #expect(noBolt.currentRecords(state, reports: [.init(id: .boltOptimize, outcome: .reused, seconds: 0, fingerprint: "b-old")]).isEmpty)
    }

    static let result = BenchResult(
        timestamp: "2026-11-21T00:00:00Z", command: "tl bench.tl", runs: 3, warmup: 1, fingerprints: ["optimize": "o"],
        variants: [
            .init(name: "baseline", wall: .init(median: 1.1, mad: 0.01, samples: [1.0, 1.1, 1.2]), cpuSeconds: 1.0, peakRSSBytes: 2_097_152, binaryBytes: 51200, ratioToBaseline: nil, instructions: 10_000_000_000),
            .init(name: "pgo-lto", wall: .init(median: 0.55, mad: 0.005, samples: [0.5, 0.55, 0.6]), cpuSeconds: 0.5, peakRSSBytes: 2_097_152, binaryBytes: 102400, ratioToBaseline: .init(value: 0.5, low: 0.45, high: 0.55), instructions: 9_000_000_000),
        ])

    @Test func tableShowsSpeedupWithIntervalAndInstructions() {
        let table = Self.result.render()
        #expect(table.contains("2.00x faster [1.82, 2.22]"))
        #expect(table.contains("9000000000 (-10.0%)"))
        #expect(table.contains("2.0 MB"))
    }

    @Test func comparisonAgainstAnOlderResult() {
        var newer = Self.result
        newer.variants[1].wall.median = 0.5
        newer.variants[1].instructions = 8_910_000_000
        let text = newer.comparison(to: Self.result)
        #expect(text.contains("pgo-lto   wall -9.1%, instructions -1.00%"))
    }
}
