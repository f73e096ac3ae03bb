import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// The text of `temper plan`: each stage's commands with their directory and environment.
public enum PlanPrinter {
    public static func render(_ prepared: PipelineRun.Prepared, jobs: Int) -> String {
        var lines = [
            "# profile \(prepared.profile.name) (\(prepared.profile.file))",
            "# toolchain: \(prepared.toolchain.summary) in \(prepared.toolchain.directory) (\(prepared.toolchain.origin))",
            "# work dir: \(prepared.workDir.root)",
        ]
        for stage in prepared.stages {
            lines.append("")
            let consumes = stage.consumes.isEmpty ? "" : " (reads \(stage.consumes.map(\.rawValue).joined(separator: ", ")))"
            lines.append("== \(stage.name)\(consumes)")
            if let build = stage as? BuildStage, !build.configuresAhead.isEmpty {
                let names = build.configuresAhead.map(\.name).joined(separator: ", ")
                lines.append("  # meanwhile, the configure of \(names) runs ahead in its own build directory; that stage then skips it")
            }
            guard let plan = try? stage.plan(PlanContext(workDir: prepared.workDir, jobs: jobs)) else {
                lines.append("  (cannot plan this stage before its inputs exist)")
                continue
            }
            var lastEnvironment: [String: String]?
            for step in plan.steps {
                lines.append("  # \(step.label), in \(step.command.workingDirectory)\(step.command.timeout.map { ", timeout \(Int($0)) s" } ?? "")")
                if step.command.environment != lastEnvironment, !step.command.environment.isEmpty {
                    lines.append("  export \(step.command.displayEnvironment)")
                }
                lastEnvironment = step.command.environment
                lines.append("  $ \(step.command.displayString)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
