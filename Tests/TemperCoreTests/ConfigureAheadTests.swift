import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// A later build's configure may run ahead only when it cannot depend on upstream results,
/// and its tree is reused only when the commands it would run now are the ones that ran.
@Suite struct ConfigureAheadTests {
    let workDir = WorkDir(root: "/w")

    /// The minimal profile with a configure step and flags through placeholders only.
    func profile(_ build: String = "", exportFlags: Bool = false) throws -> PipelineProfile {
        try Fixtures.parse(Fixtures.minimalProfile.replacingOccurrences(
            of: "[build]\n", with: "[build]\nconfigure = [\"{source}/configure\", \"CC={cc}\"]\nexport_flags = \(exportFlags)\n\(build)\n"))
    }

    func merge(_ profdata: String) -> StageRecord {
        var record = StageRecord(fingerprint: "f", status: .completed, outcome: .executed, seconds: 1)
        record.named["profdata"] = profdata
        return record
    }

    func optimize(_ profile: PipelineProfile) -> BuildStage {
        BuildStage(variant: .optimize, profileFrom: .merge, profile: profile, toolchain: Fixtures.toolchain)
    }

    @Test func onlyAConfigureThatCannotSeeTheInjectedFlagsRunsAhead() throws {
        #expect(optimize(try profile()).canConfigureAhead)
        // Exported CFLAGS carry the profile data path into configure's environment.
        #expect(!optimize(try profile(exportFlags: true)).canConfigureAhead)
        #expect(!optimize(try profile("configure_ahead = false")).canConfigureAhead)
        let flagsInConfigure = try Fixtures.parse(Fixtures.minimalProfile.replacingOccurrences(
            of: "[build]\n", with: "[build]\nconfigure = [\"{source}/configure\", \"CFLAGS={cflags}\"]\nexport_flags = false\n"))
        #expect(!optimize(flagsInConfigure).canConfigureAhead)
        #expect(!optimize(try profile("env = { EXTRA = \"{ldflags}\" }")).canConfigureAhead)
        #expect(!optimize(try Fixtures.parse(Fixtures.minimalProfile)).canConfigureAhead)
    }

    @Test func theInstrumentStageConfiguresOptimizeAndBaselineAhead() throws {
        let stages = PipelineComposer.stages(for: try profile(), toolchain: Fixtures.toolchain, baseline: true)
        let instrument = try #require(stages[0] as? BuildStage)
        #expect(instrument.configuresAhead.map(\.name) == ["optimize", "baseline"])
        let without = PipelineComposer.stages(for: try profile("configure_ahead = false"), toolchain: Fixtures.toolchain, baseline: true)
        #expect((without[0] as? BuildStage)?.configuresAhead.isEmpty == true)
    }

    @Test func planningWithoutUpstreamGivesTheSameConfigureAsTheRealRun() throws {
        let stage = optimize(try profile())
        func configure(_ upstream: [StageID: StageRecord]) throws -> [Command] {
            try stage.plan(PlanContext(workDir: workDir, jobs: 2, upstream: upstream)).configure
        }
        let ahead = try configure([:])
        let real = try configure([.merge: merge("stages/merge/x.profdata")])
        #expect(ahead == real && ahead.count == 1)
        #expect(ahead[0].workingDirectory == "/w/stages/optimize/build")
        let shared = ["source": "s1", "toolchain": "t"]
        #expect(ConfigureAhead.fingerprint(of: ahead, shared: shared) == ConfigureAhead.fingerprint(of: real, shared: shared))
        // Another source or toolchain, or other commands, is another configured tree.
        #expect(ConfigureAhead.fingerprint(of: ahead, shared: shared) != ConfigureAhead.fingerprint(of: ahead, shared: ["source": "s2", "toolchain": "t"]))
        let exported = optimize(try profile(exportFlags: true))
        let exportedSteps = try exported.plan(PlanContext(workDir: workDir, jobs: 2, upstream: ["merge": merge("stages/merge/x.profdata")])).configure
        #expect(ConfigureAhead.fingerprint(of: exportedSteps, shared: shared) != ConfigureAhead.fingerprint(of: ahead, shared: shared))
    }

    @Test func theMarkerIsSpentWhetherOrNotItMatches() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workDir = WorkDir(root: root)
        let build = root + "/stages/optimize/build"
        try workDir.makeDirectory(build)
        let steps = [Command(executable: "/src/configure", arguments: [], workingDirectory: build)]
        let shared = ["source": "s"]
        let marker = ConfigureAhead.marker(in: build)
        #expect(try !ConfigureAhead.consume(in: build, commands: steps, shared: shared, workDir: workDir))

        try ConfigureAhead.fingerprint(of: steps, shared: shared).write(toFile: marker, atomically: true, encoding: .utf8)
        #expect(try ConfigureAhead.consume(in: build, commands: steps, shared: shared, workDir: workDir))
        #expect(!FileManager.default.fileExists(atPath: marker))

        try ConfigureAhead.fingerprint(of: steps, shared: ["source": "other"]).write(toFile: marker, atomically: true, encoding: .utf8)
        #expect(try !ConfigureAhead.consume(in: build, commands: steps, shared: shared, workDir: workDir))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
