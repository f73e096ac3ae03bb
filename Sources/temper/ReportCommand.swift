import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

extension ReportRenderer.Format: ExpressibleByArgument {}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a work dir's report.json as Markdown (for CI summaries), JSON, or a self-contained HTML page.")

    @OptionGroup var location: WorkDirOption

    @Option(help: "md, json or html.")
    var format: ReportRenderer.Format = .md

    @Option(name: .shortAndLong, help: "Write to this file (it must not exist yet) instead of standard output.")
    var output: String?

    func run() async throws {
        if let output {
            // temper never overwrites anything outside its work dir.
            try NewFile.check(output)
        }
        let workDir = try location.resolve()
        // A tune's work dir holds tune.json (its matrix and decision) rather than report.json.
        let tune = workDir.root + "/tune.json"
        if !FileManager.default.fileExists(atPath: workDir.reportFile), let data = RegularFile.contents(tune, limit: 64 << 20) {
            let result = try JSONDecoder().decode(TuneResult.self, from: data)
            let text: String
            switch format {
            case .md: text = TuneRenderer.markdown(result)
            case .json: text = String(decoding: try JSONEncoder.temper.encode(result), as: UTF8.self) + "\n"
            case .html: text = TuneRenderer.html(result)
            }
            if let output {
                try NewFile.write(Data(text.utf8), to: output)
            } else {
                print(text, terminator: "")
            }
            return
        }
        guard let data = RegularFile.contents(workDir.reportFile, limit: 256 << 20) else {
            // A work dir whose run has not finished (or was killed before writing its report)
            // is still a work dir: say what is missing.
            if workDir.isTemperWorkDir {
                throw ValidationError("\(workDir.root) has no report.json yet: no run has finished in it. Run `temper run PROFILE --workdir \(workDir.root)`, or see `temper status`.")
            }
            throw WorkDirError.notAWorkDir(root: workDir.root)
        }
        let report = try JSONDecoder().decode(RunReport.self, from: data)
        let text = try ReportRenderer.render(report, as: format)
        if let output {
            try NewFile.write(Data(text.utf8), to: output)
        } else {
            print(text, terminator: "")
        }
    }
}
