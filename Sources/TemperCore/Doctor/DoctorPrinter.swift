import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// The text of `temper doctor`: a table of tools, then each probe with its time and, on
/// failure, the tool's own error and the fix.
public enum DoctorPrinter {
    public static func render(_ report: DoctorReport) -> String {
        var lines = ["toolchain: \(report.toolchain ?? "none usable")"]
        for tool in report.tools {
            let name = tool.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            let version = (tool.version ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(version) \(tool.path ?? "not found")")
        }
        lines.append("probes:")
        for probe in report.probes {
            let status = probe.ok ? "ok  " : probe.required ? "FAIL" : "n/a "
            let name = probe.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            let firstLine = probe.message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            lines.append("  \(status) \(name) \(String(format: "%5.1f s", probe.seconds))  \(firstLine)")
            if !probe.ok {
                for line in probe.message.split(separator: "\n").dropFirst() { lines.append("         \(line)") }
                if let fix = probe.fix { lines.append("         fix: \(fix)") }
            }
        }
        let failed = report.probes.filter { $0.required && !$0.ok }.map(\.name)
        lines.append(
            report.healthy ? "result: every required probe passed"
                : failed == ["programs"] ? "result: the toolchain works, but programs the profile runs are missing (exit 3)"
                : "result: the toolchain is not usable for PGO (exit 3)")
        return lines.joined(separator: "\n")
    }
}
