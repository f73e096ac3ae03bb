import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// `temper tune` as data: the [tune] table, the matrix it expands to, the decision rule, the
/// counters' parser, and what a pinned decision does to the plan.
@Suite struct TuneTests {
    func parse(_ tune: String) throws -> PipelineProfile {
        try Fixtures.parse(Fixtures.minimalProfile + "\n" + tune)
    }

    @Test func variantsAndAxesMultiplyOut() throws {
        let profile = try parse("""
            [tune]
            reference = "o2"
            budget = "20m"
            [[tune.variant]]
            name = "o2"
            [tune.axes]
            lto = ["thin", "full"]
            bolt = ["off", "default"]
            pie = ["true", "false"]
            """)
        let tune = try #require(profile.tune)
        #expect(tune.budget == 1200 && tune.reference == "o2")
        // 2 LTO x 2 PIE x 2 BOLT: BOLT on a PIE too (BOLTed as a PIE, [bolt] pie = true).
        #expect(tune.variants.count == 1 + 8)
        #expect(tune.variants.contains { $0.name == "lto-full.pie-false.bolt-default" && $0.overrides == TuneOverrides(bolt: "default", pie: false, lto: .full) })
        let matrix = TuneMatrix.expand(tune)
        // Per LTO mode: the plain PIE build, the non-PIE BOLT build, the PIE BOLT build.
        #expect(matrix.pipelines.count == 1 + 2 * 3)
        #expect(matrix.pipelines.filter(\.boltPIE).count == 2 && matrix.pipelines.filter(\.boltPIE).allSatisfy { $0.directoryName.hasPrefix("boltpie-") })
        var profileForPIE = try parse("")
        ProfileVariant(overrides: TuneOverrides(bolt: "default", pie: true), bolt: .candidates(["default"], pie: true)).apply(to: &profileForPIE)
        #expect(profileForPIE.bolt.pie && profileForPIE.bolt.enabled)
    }

    @Test func durationsAreRangeChecked() {
        #expect(ProfileParser.duration("90s") == 90 && ProfileParser.duration("20m") == 1200 && ProfileParser.duration("2h") == 7200 && ProfileParser.duration("45") == 45)
        for bad in ["", "0s", "-5m", "nan", "inf", "1e300h", "8d", "m", "1.5.2s", "200h"] {
            #expect(ProfileParser.duration(bad) == nil, "\(bad)")
        }
    }

    @Test func theDefaultMatrixIsTwoBuildsAndTheKnownFlagSets() throws {
        let settings = TuneSettings.defaultMatrix(extraBoltSets: ["mine"])
        #expect(settings.variants.map(\.name) == ["pgo-lto", "pgo-lto-nopie", "bolt-default", "bolt-skip-dispatch", "bolt-cpython-3.13", "bolt-python-build-standalone", "bolt-mine", "bolt-default-pie"])
        let matrix = TuneMatrix.expand(settings)
        #expect(matrix.reference == "pgo-lto")
        #expect(matrix.pipelines.count == 3 && matrix.pipelines.filter(\.boltPIE).map(\.boltSets) == [["default"]])
        let bolt = try #require(matrix.pipelines.first { $0.withBolt && !$0.boltPIE })
        #expect(bolt.boltSets == ["default", "skip-dispatch", "cpython-3.13", "python-build-standalone", "mine"])
        // The PIE reference comes from the plain build, the non-PIE row from the BOLT build's pre-BOLT tree.
        #expect(matrix.rows[0].side == .build && !matrix.pipelines[matrix.rows[0].pipeline].withBolt)
        #expect(matrix.rows[1].side == .build && matrix.pipelines[matrix.rows[1].pipeline].withBolt)
        #expect(matrix.rows[2].side == .candidate("default"))
        // The BOLT build trains first; the plain one then imports its profile.
        #expect(matrix.pipelines[matrix.runOrder[0]].withBolt)
        #expect(bolt.directoryName.hasPrefix("bolt-") && bolt.directoryName.count == 17)
    }

    @Test func pipelinesThatShareTrainingRunTogether() throws {
        let settings = TuneSettings(variants: [
            TuneVariant(name: "a", overrides: TuneOverrides(pie: true, lto: .thin)),
            TuneVariant(name: "b", overrides: TuneOverrides(pie: true, cflags: ["-O3"])),
            TuneVariant(name: "c", overrides: TuneOverrides(bolt: "default", lto: .full)),
        ])
        let matrix = TuneMatrix.expand(settings)
        #expect(matrix.pipelines.count == 3)
        // a and c train alike (LTO is not part of training); c, with BOLT, goes first.
        let order = matrix.runOrder.map { matrix.pipelines[$0] }
        #expect(order[0].withBolt && order[0].build.lto == .full)
        #expect(order[1].build.lto == .thin && order[2].build.cflags == ["-O3"])
    }

    func variant(_ name: String, bolt: String? = nil, pie: Bool? = nil, ratio: (Double, Double, Double)?, counters: CachegrindSummary? = nil, noisy: Bool = false) -> TuneResult.Variant {
        var result = TuneResult.Variant(name: name, overrides: "", settings: TuneOverrides(bolt: bolt, pie: pie), boltFlags: nil, built: true)
        result.samples = [1, 1, 1]
        if let ratio {
            result.ratio = RatioInterval(value: ratio.0, low: ratio.1, high: ratio.2)
            result.verdict = result.ratio?.verdict
        }
        if let counters {
            var second = counters
            if noisy { second.instructions += 50_000 }  // 4.8% apart: more than a tenth of a 20% gain
            result.counters = TuneResult.Counted(first: counters, second: second)
        }
        return result
    }

    @Test func theDecisionRuleTakesOnlyEvidenceThatHolds() {
        let base = CachegrindSummary(instructions: 1_000_000, i1Misses: 10_000, lliMisses: 1000, branchMispredicts: 5000)
        let layout = CachegrindSummary(instructions: 1_050_000, i1Misses: 8000, lliMisses: 900, branchMispredicts: 5100)
        let reference = variant("ref", pie: true, ratio: nil, counters: base)
        // Faster with 95% confidence wins, the lowest ratio first.
        var decision = TuneDecisionRule.decide([reference, variant("x", ratio: (0.9, 0.85, 0.95)), variant("y", ratio: (0.8, 0.7, 0.9))], reference: "ref")
        #expect(decision.variant == "y")
        // Undecided on wall time, but the layout shows in the simulated i-cache: BOLT on the PIE
        // is kept, although it executes 5% more instructions.
        decision = TuneDecisionRule.decide([reference, variant("bolt-pie", bolt: "default", pie: true, ratio: (0.98, 0.9, 1.05), counters: layout)], reference: "ref")
        #expect(decision.variant == "bolt-pie" && decision.reason.contains("I1 misses -20.0%") && decision.reason.contains("instructions +5.0%"))
        // BOLT without PIE is less hardened than the PIE reference: only when accepted.
        let nonPIE = variant("bolt", bolt: "default", ratio: (0.98, 0.9, 1.05), counters: layout)
        decision = TuneDecisionRule.decide([reference, nonPIE], reference: "ref")
        #expect(decision.variant == "ref" && decision.reason.contains("accept_non_pie"))
        decision = TuneDecisionRule.decide([reference, nonPIE], reference: "ref", acceptNonPIE: true)
        #expect(decision.variant == "bolt" && decision.reason.contains("accept_non_pie accepts"))
        // Not when the counts' own spread is near the gain, not when slower, and never a build
        // without PIE and without BOLT, accepted or not.
        #expect(TuneDecisionRule.decide([reference, variant("bolt", bolt: "default", pie: true, ratio: (0.98, 0.9, 1.05), counters: layout, noisy: true)], reference: "ref").variant == "ref")
        #expect(TuneDecisionRule.decide([reference, variant("bolt", bolt: "default", pie: true, ratio: (1.2, 1.1, 1.3), counters: layout)], reference: "ref").variant == "ref")
        #expect(TuneDecisionRule.decide([reference, variant("nopie", pie: false, ratio: (0.8, 0.7, 0.9))], reference: "ref", acceptNonPIE: true).variant == "ref")
        // A small i-cache gain is not enough.
        let small = CachegrindSummary(instructions: 1_000_000, i1Misses: 9500, lliMisses: 1000, branchMispredicts: 5000)
        #expect(TuneDecisionRule.decide([reference, variant("bolt", bolt: "default", pie: true, ratio: (1.0, 0.9, 1.1), counters: small)], reference: "ref").variant == "ref")
        // CPython's bench counts differ by 0.2% (hash randomization): a 44% gain stands far above that.
        var spreadBase = variant("ref", pie: true, ratio: nil, counters: base)
        var second = base
        second.instructions += 2000
        spreadBase.counters = TuneResult.Counted(first: base, second: second)
        #expect(spreadBase.counters?.noisy == true)
        let big = CachegrindSummary(instructions: 1_007_000, i1Misses: 5600, lliMisses: 900, branchMispredicts: 4500)
        #expect(TuneDecisionRule.decide([spreadBase, variant("bolt-pie", bolt: "default", pie: true, ratio: (0.99, 0.97, 1.01), counters: big)], reference: "ref").variant == "bolt-pie")
    }

    @Test func countsThatDifferByRoundingAreNotNoise() {
        let first = CachegrindSummary(instructions: 527_235_282, i1Misses: 592_226, lliMisses: 6647, branchMispredicts: 7_796_614)
        var second = first
        second.instructions -= 112
        second.branchMispredicts -= 5
        let close = TuneResult.Counted(first: first, second: second)
        #expect(!close.noisy && (close.spread ?? 0) > 0 && (close.spread ?? 1) < 1e-6)
        second.instructions = 533_000_000  // LevelDB's db_bench: 5.81 G against 6.03 G, 3.8%
        #expect(TuneResult.Counted(first: first, second: second).noisy)
        #expect(TuneResult.Counted(first: first, second: first).spread == nil)
    }

    @Test func cachegrindSummariesAreRead() {
        let text = """
            ==21983== I   refs:      1,127,745
            ==21983== I1  misses:        1,091
            ==21983== LLi misses:        1,072
            ==21983== I1  miss rate:    0.85%
            ==21983== Branches:       25,620  (25,341 cond +    279 ind)
            ==21983== Mispredicts:     3,317  ( 3,167 cond +    150 ind)
            """
        #expect(CachegrindSummary.parse(text) == CachegrindSummary(instructions: 1_127_745, i1Misses: 1091, lliMisses: 1072, branchMispredicts: 3317))
        #expect(CachegrindSummary.parse("==1== I   refs: 5\n") == nil)
    }

    @Test func ratiosAndVerdicts() throws {
        let ratio = try #require(Statistics.ratio([2, 2, 2], [1, 1, 1]))
        #expect(ratio.value == 2 && ratio.verdict == .slower)
        #expect(Statistics.ratio([], [1]) == nil)
        #expect(RatioInterval(value: 1, low: 0.9, high: 1.1).verdict == .undecided)
        #expect(Statistics.geometricMean([2, 8]) == 4 && Statistics.geometricMean([1, 0]) == nil)
    }

    @Test func aPinnedDecisionPlansNoSelection() throws {
        var profile = try Fixtures.parse(Fixtures.minimalProfile + "\n[bolt]\nenabled = true\n[bench]\nrun = [\"{artifact:app}\", \"b\"]\n")
        ProfileVariant(overrides: TuneOverrides(bolt: "cpython-3.13", pie: false), bolt: .pinned(name: "cpython-3.13", flags: ["-reorder-blocks=ext-tsp", "-split-functions"])).apply(to: &profile)
        #expect(profile.bolt.select == .pinned && profile.bolt.candidates.isEmpty && !profile.bolt.dispatchCandidate)
        let stage = try Fixtures.stage(.boltOptimize, profile, bolt: BoltPlanTests.bolt, as: BoltOptimizeStage.self)
        let plan = try stage.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: 1))
        #expect(plan.rounds == 0 && plan.candidates.map(\.candidate.flags) == [["-reorder-blocks=ext-tsp", "-split-functions"]])
        #expect(!plan.steps.contains { $0.label.hasPrefix("measure") || $0.label.hasPrefix("instructions") })
        // Tune's own builds: candidates built and verified, none measured.
        var tuned = try Fixtures.parse(Fixtures.minimalProfile + "\n[bolt]\nenabled = true\n")
        ProfileVariant(overrides: TuneOverrides(), bolt: .candidates(["default", "python-build-standalone"])).apply(to: &tuned)
        #expect(tuned.bolt.select == .none && tuned.bolt.candidates.map(\.name) == ["python-build-standalone"] && !tuned.bolt.dispatchCandidate)
        #expect(tuned.bolt.candidates[0].flags.contains("-icf=safe") && !tuned.bolt.candidates[0].flags.contains("-use-gnu-stack"))
    }

    @Test func decisionFilesAreCheckedBeforeUse() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let profile = try Fixtures.parse(Fixtures.minimalProfile)
        let machine = TuneDecision.Machine(host: "h", cpu: "c", kernel: "k", toolchain: "t")
        func write(_ decision: TuneDecision) throws -> String {
            let path = root + "/\(UUID().uuidString).json"
            try JSONEncoder.temper.encode(decision).write(to: URL(fileURLWithPath: path))
            return path
        }
        let good = TuneDecision(profile: profile.name, variant: "bolt-default", settings: TuneOverrides(bolt: "default", pie: false), boltFlags: ["-split-functions"], reason: "r", created: "c", machine: machine, rounds: 5, ratio: nil, counters: nil, aa: nil)
        #expect(try DecisionFile.load(path: try write(good), profile: profile) == good)
        var other = good
        other.profile = "another"
        let otherPath = try write(other)
        #expect(throws: DecisionError.otherProfile(path: otherPath, decided: "another", profile: profile.name)) { try DecisionFile.load(path: otherPath, profile: profile) }
        var weaker = good
        weaker.boltFlags = nil
        weaker.settings = TuneOverrides(pie: false)
        #expect(throws: DecisionError.self) { try DecisionFile.load(path: try write(weaker), profile: profile) }
        var newer = good
        newer.version = 99
        let newerPath = try write(newer)
        #expect(throws: DecisionError.newerVersion(path: newerPath, version: 99)) { try DecisionFile.load(path: newerPath, profile: profile) }
        let junk = root + "/junk.json"
        try Data("{\"kind\": \"something\"}".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(throws: DecisionError.notADecision(path: junk)) { try DecisionFile.load(path: junk, profile: profile) }
        // A FIFO is refused at once, never read (it would block).
        let fifo = root + "/fifo.json"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: DecisionError.unreadable(path: fifo)) { try DecisionFile.load(path: fifo, profile: profile) }
        #expect(ExitStatus.of(DecisionError.unreadable(path: fifo)) == ExitStatus.badInput)
    }
}

/// The tune pages, from a recorded tune of the demo (Golden/tune.json).
@Suite struct TuneRendererTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/tune.json").path

    @Test func theRecordedTuneRendersEveryVariantTheAARowAndTheDecision() throws {
        let result = try JSONDecoder().decode(TuneResult.self, from: Data(contentsOf: URL(fileURLWithPath: Self.golden)))
        let markdown = TuneRenderer.markdown(result)
        let html = TuneRenderer.html(result)
        for variant in result.variants {
            #expect(markdown.contains("| \(variant.name) |") && html.contains(variant.name))
        }
        #expect(markdown.contains("A/A calibration") && markdown.contains("**Decision: \(result.decision.variant)**"))
        #expect(html.contains("<svg id=\"tune-chart\"") && html.contains("A/A") && html.contains("Decision: \(result.decision.variant)"))
        // Counts past 2^31 print whole (CPython's bench: 3.6 G instructions).
        var big = result
        big.variants[1].counters = TuneResult.Counted(
            first: CachegrindSummary(instructions: 3_597_368_733, i1Misses: 1, lliMisses: 1, branchMispredicts: 1),
            second: CachegrindSummary(instructions: 3_597_368_733, i1Misses: 1, lliMisses: 1, branchMispredicts: 1))
        #expect(TuneRenderer.markdown(big).contains("3597368733 ("))
        // One bar per measured variant, the A/A row included.
        let bars = html.components(separatedBy: "<rect ").count - 1
        #expect(bars == result.variants.filter { $0.ratio != nil && $0.name != result.reference }.count + (result.aa == nil ? 0 : 1))
    }
}

/// Several workloads: their geometric mean, with an interval, decides.
@Suite struct TuneWorkloadTests {
    @Test func theGeometricMeanOfWorkloadRatios() throws {
        // One workload: exactly the ordinary ratio.
        let single = try #require(Statistics.geometricMeanRatio([([2, 2.1, 1.9], [1, 1.05, 0.95])]))
        #expect(single == Statistics.ratio([2, 2.1, 1.9], [1, 1.05, 0.95]))
        // Twice as slow on one, twice as fast on the other: 1.0 overall.
        let mixed = try #require(Statistics.geometricMeanRatio([([2, 2, 2], [1, 1, 1]), ([1, 1, 1], [2, 2, 2])]))
        #expect(abs(mixed.value - 1) < 1e-12 && mixed.low <= 1 && 1 <= mixed.high)
        // Faster on both: the interval lies below 1.
        let faster = try #require(Statistics.geometricMeanRatio([([0.8, 0.82, 0.79, 0.81], [1, 1.01, 0.99, 1]), ([0.9, 0.91, 0.89, 0.9], [1, 1, 1.02, 0.98])]))
        #expect(faster.verdict == .faster && faster.value < 0.9)
        #expect(Statistics.geometricMeanRatio([([1], [])]) == nil && Statistics.geometricMeanRatio([]) == nil)
    }

    @Test func workloadsAreParsedAndChecked() throws {
        let profile = try Fixtures.parse(Fixtures.minimalProfile + """

            [tune]
            [[tune.workload]]
            name = "small"
            run = ["{artifact:app}", "1"]
            [[tune.workload]]
            name = "large"
            run = ["{artifact:app}", "100"]
            """)
        #expect(profile.tune?.workloads.map(\.name) == ["small", "large"] && profile.tune?.variants.isEmpty == true)
        #expect(throws: ProfileError.self) {
            try Fixtures.parse(Fixtures.minimalProfile + "\n[tune]\n[[tune.workload]]\nname = \"aa\"\nrun = [\"x\"]\n")
        }
        #expect(throws: ProfileError.self) {
            try Fixtures.parse(Fixtures.minimalProfile + "\n[tune]\n[[tune.workload]]\nname = \"w\"\nrun = [\"{artifact:nope}\"]\n")
        }
    }
}

/// `perf stat -x,` output, as machines with hardware counters print it.
@Suite struct PerfStatTests {
    @Test func countersAreReadAndMissingOnesLeftOut() throws {
        let text = """
            # started on Sat Dec  5 12:00:00 2026

            1234567,,cycles,100.00,,
            2345678,,instructions:u,100.00,0.52,insn per cycle
            <not supported>,,L1-icache-load-misses,0,100.00,,
            345,,cpu_core/iTLB-load-misses/,100.00,,
            6789,,branch-misses,100.00,,
            """
        let summary = try #require(PerfStatSummary.parse(text))
        #expect(summary.counters == ["cycles": 1_234_567, "instructions": 2_345_678, "iTLB-load-misses": 345, "branch-misses": 6789])
        #expect(PerfStatSummary.parse("<not supported>,,instructions,0,100.00,,\n") == nil)
        let command = ToolCommands.perfStat(Command(executable: "/b/tl", arguments: ["x"], workingDirectory: "/b"), events: PerfStatSummary.events, output: "/m/out.csv")
        #expect(command.executable == "perf" && command.arguments.suffix(3) == ["--", "/b/tl", "x"] && command.arguments.contains("-x,"))
    }
}
