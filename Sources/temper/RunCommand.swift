import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline, reusing every stage whose checkpoint still holds.")

    @OptionGroup var options: ProfileOptions

    @Option(help: "Execute again from this stage on (earlier stages must be complete).")
    var from: StageID?

    @Option(help: "Stop after this stage.")
    var to: StageID?

    @Flag(help: "Discard the work dir's state and outputs and run everything.")
    var fresh = false

    @Flag(help: "After a source change, train again instead of applying the last training's profile to the edited sources.")
    var retrain = false

    @Flag(help: "Show debug messages.")
    var verbose = false

    func run() async throws {
        let logger = Terminal.logger(verbose: verbose)
        var pipelineOptions = options.pipelineOptions()
        pipelineOptions.from = from
        pipelineOptions.to = to
        pipelineOptions.fresh = fresh
        pipelineOptions.retrain = retrain
        let profile = options.profile
        let runOptions = pipelineOptions
        let start = ContinuousClock.now
        let report = try await Terminal.cancellable {
            try await PipelineRun(progress: TerminalProgress(logger: logger), logger: logger)
                .run(profilePath: profile, options: runOptions)
        }
        let seconds = start.duration(to: .now).components.seconds
        let executed = report.stages.filter { $0.outcome == .executed }.count
        logger.notice("done in \(seconds) s (\(executed) stage(s) executed). Report: \(report.workdir)/report.json")
        if let selection = report.bolt?.selection {
            logger.notice("BOLT \(selection.reason)")
        }
        for artifact in report.artifacts {
            logger.notice("optimized: \(artifact.path) (from \(artifact.stage ?? "?"))")
        }
        for (stage, stats) in (report.compileCache ?? [:]).sorted(by: { $0.key < $1.key }) {
            let percent = stats.hitPercent.map { String(format: " (%.0f%% hits)", $0) } ?? ""
            logger.notice("compile cache, \(stage): \(stats.hits) hits, \(stats.misses) misses\(percent)")
        }
        if let staleness = report.staleness {
            logger.notice("\(staleness.summaryLine)")
        }
    }
}
