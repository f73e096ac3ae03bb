import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// A later build's configure, run in that build's own final directory while the instrumented
/// build runs. Configure scripts are mostly serial, so two of them overlap on two cores
/// (CPython: ~35 s off the pipeline). The later stage skips its configure only when a marker
/// says that exactly the commands it would run now already ran there and succeeded.
struct ConfigureAhead: Sendable {
    static let markerName = ".temper-configured-ahead"

    /// The stages whose configure runs ahead, in order, one at a time.
    let stages: [BuildStage]

    static func marker(in build: String) -> String { build + "/" + markerName }

    static func log(of stage: BuildStage, in workDir: WorkDir) -> String {
        workDir.log(stage.name + ".configure-ahead")
    }

    /// What decides a configured tree: the configure commands (argv, environment, directory)
    /// and the run's shared inputs (toolchain identity, source digest).
    static func fingerprint(of commands: [Command], shared: [String: String]) -> String {
        var fingerprint = Fingerprint()
        for (key, value) in shared.sorted(by: { $0.key < $1.key }) { fingerprint.add("shared." + key, value) }
        for (index, command) in commands.enumerated() { fingerprint.add("configure\(index)", command) }
        return fingerprint.finalize()
    }

    /// Runs each stage's configure in its fresh stage directory and leaves the marker behind.
    /// Never throws: a configure that fails here runs again, and fails visibly, in its own stage.
    /// Returns a note for the progress line and the report.
    func run(_ context: StageContext) async -> String? {
        var notes: [String] = []
        // A settled stage (complete, and nothing in this run can change it) keeps its tree.
        for stage in stages where !context.plan.settled.contains(stage.id) {
            if Task.isCancelled { return nil }
            let log = Self.log(of: stage, in: context.workDir)
            do {
                // Planned without upstream records: `BuildStage.configuresAhead` guarantees that
                // the configure commands do not read them, and the marker check proves it later.
                let planContext = PlanContext(workDir: context.workDir, jobs: context.plan.jobs, shared: context.plan.shared)
                let commands = try stage.plan(planContext).configure
                let build = stage.buildDirectory(context.workDir)
                try context.workDir.freshDirectory(context.workDir.stageDirectory(stage.id))
                try context.workDir.makeDirectory(build)
                try context.workDir.remove(log)
                context.logger.debug("configuring \(stage.name) ahead in \(build)")
                var failed: String?
                for command in commands {
                    let outcome = try await context.runner.run(command, logPath: log)
                    if !outcome.succeeded {
                        failed = outcome.statusDescription
                        break
                    }
                }
                if let failed {
                    context.logger.warning("configuring \(stage.name) ahead failed (\(failed)); it will configure in its own stage. Log: \(log)")
                    notes.append("\(stage.name) configure ahead failed")
                    continue
                }
                try AtomicFile.write(Data(Self.fingerprint(of: commands, shared: context.plan.shared).utf8), to: Self.marker(in: build), durable: false)
                notes.append("configured \(stage.name) ahead")
            } catch {
                if Task.isCancelled || error is CancellationError { return nil }
                context.logger.warning("configuring \(stage.name) ahead failed: \(error); it will configure in its own stage.")
                notes.append("\(stage.name) configure ahead failed")
            }
        }
        return notes.isEmpty ? nil : notes.joined(separator: ", ")
    }

    /// Whether `build` holds a tree configured ahead by exactly `steps`. The marker is removed
    /// either way, so a later attempt of the stage (after a failed build) starts clean.
    static func consume(in build: String, commands: [Command], shared: [String: String], workDir: WorkDir) throws -> Bool {
        let marker = marker(in: build)
        guard let recorded = try? String(contentsOfFile: marker, encoding: .utf8) else { return false }
        try workDir.remove(marker)
        return recorded == fingerprint(of: commands, shared: shared)
    }
}
