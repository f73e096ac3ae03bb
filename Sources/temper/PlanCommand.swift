import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print every stage's commands without running them.")

    @OptionGroup var options: ProfileOptions

    func run() async throws {
        let pipelineOptions = options.pipelineOptions()
        let prepared = try await PipelineRun(progress: TerminalProgress(logger: Terminal.logger()), logger: Terminal.logger())
            .prepare(profilePath: options.profile, options: pipelineOptions)
        print(PlanPrinter.render(prepared, jobs: pipelineOptions.jobs))
    }
}
