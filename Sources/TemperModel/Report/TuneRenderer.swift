import Foundation

/// `tune.md`: the matrix as a table people read, with the A/A row and the decision.
public enum TuneRenderer {
    public static func markdown(_ result: TuneResult) -> String {
        var lines = ["# temper tune: \(result.profile)", ""]
        lines.append("Workload `\(result.workload)`, \(result.rounds) interleaved rounds (\(Int(result.measuringSeconds)) s measuring, \(Int(result.buildSeconds)) s building, budget \(Int(result.budgetSeconds)) s); reference `\(result.reference)`. "
            + (result.decided ? "Every comparison was decided." : "Some comparisons stayed undecided when the budget ended: they are reported as undecided, never as wins.")
            + (result.totalSeconds.map { $0 > result.budgetSeconds ? String(format: " The tune took %.0f s, over its budget: the builds alone took %.0f s, and the minimum rounds were measured regardless.", $0, result.buildSeconds) : "" } ?? ""))
        lines.append("")
        let reference = result.variants.first { $0.name == result.reference }?.counters?.first
        func change(_ value: Int?, _ base: Int?) -> String {
            guard let value, let base, base > 0 else { return value.map(String.init) ?? "-" }
            // Counts pass 2^31: never through a C format (`%d` takes 32 bits).
            return value == base ? "\(value)" : "\(value) (" + String(format: "%+.1f%%", 100 * Double(value - base) / Double(base)) + ")"
        }
        lines.append("| variant | settings | verdict | time vs reference (95% CI) | median s | instructions | I1 misses | LLi misses | mispredicts | size KB |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for variant in result.variants {
            let counters = variant.counters?.first
            let ratio = variant.name == result.reference ? "1.000 (reference)" : variant.ratio.map { String(format: "%.3fx [%.3f, %.3f]", $0.value, $0.low, $0.high) } ?? "-"
            let verdict = variant.failure.map { "not measured: \($0.split(separator: "\n").first ?? "")" } ?? variant.verdict?.rawValue ?? (variant.name == result.reference ? "reference" : "-")
            let noisy = variant.counters?.noisy == true ? String(format: " (noisy: the two counts %.2f%% apart)", 100 * (variant.counters?.spread ?? 0)) : ""
            lines.append("| \(variant.name) | \(variant.overrides) | \(verdict) | \(ratio) | \(variant.medianSeconds.map { String(format: "%.4f", $0) } ?? "-") | \(change(counters?.instructions, reference?.instructions))\(noisy) | \(change(counters?.i1Misses, reference?.i1Misses)) | \(change(counters?.lliMisses, reference?.lliMisses)) | \(change(counters?.branchMispredicts, reference?.branchMispredicts)) | \(variant.bytes.map { String(format: "%.1f", Double($0) / 1024) } ?? "-") |")
        }
        // Several workloads: each one's ratio (the verdict above rests on their geometric mean).
        if let names = result.variants.first(where: { $0.workloads != nil })?.workloads?.map(\.name) {
            lines.append("")
            lines.append("Time against the reference per workload (the table above gives their geometric mean):")
            lines.append("")
            lines.append("| variant | " + names.joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---|", count: names.count))
            for variant in result.variants where variant.name != result.reference {
                let cells = names.map { name in
                    variant.workloads?.first { $0.name == name }?.ratio.map { String(format: "%.3fx [%.3f, %.3f]", $0.value, $0.low, $0.high) } ?? "-"
                }
                lines.append("| \(variant.name) | " + cells.joined(separator: " | ") + " |")
            }
        }
        if let aa = result.aa {
            lines.append("")
            lines.append(String(format: "A/A calibration (the reference against an identical copy): %.3fx [%.3f, %.3f]%@.", aa.value, aa.low, aa.high, aa.falseAlarm ? " — a false alarm: this machine's noise exceeds the interval, read the ratios with care" : ", containing 1.0 as it should"))
        }
        lines.append("")
        lines.append("Hardware counters: \(result.hardwareCounters).")
        lines.append("")
        lines.append("**Decision: \(result.decision.variant)** — \(result.decision.reason). Pinned in `\(result.decision.file)`; apply it with `temper run PROFILE --decision \(result.decision.file)`"
            + (result.decision.bundle.map { ", or elsewhere, with the profile it was made on, `temper run PROFILE --profile-bundle \($0)`" } ?? "") + ".")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Bar colours: faster, slower, undecided (and the reference).
    static let colors: [RatioInterval.Verdict: String] = [.faster: "#2f855a", .slower: "#c53030", .undecided: "#a0aec0"]

    /// Each variant's time against the reference: the median ratio as a bar, the 95% interval
    /// as whiskers, the A/A row last; coloured by verdict.
    static func ratioChart(_ result: TuneResult) -> String {
        var rows: [(String, RatioInterval, String)] = result.variants.compactMap { variant in
            guard variant.name != result.reference, let ratio = variant.ratio else { return nil }
            return (variant.name, ratio, colors[ratio.verdict] ?? "#a0aec0")
        }
        if let aa = result.aa { rows.append(("A/A", RatioInterval(value: aa.value, low: aa.low, high: aa.high), "#718096")) }
        let width = 460.0, label = 200.0, row = 30.0
        let top = max(rows.map(\.1.high).max() ?? 1, 1) * 1.1
        func x(_ value: Double) -> Double { label + value / top * width }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = "<svg id=\"tune-chart\" role=\"img\" aria-label=\"time against the reference\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 90))\" height=\"\(Int(Double(rows.count) * row + 30))\">"
        for (index, (name, ratio, color)) in rows.enumerated() {
            let y = Double(index) * row + 4
            svg += "<text x=\"0\" y=\"\(f(y + 17))\" font-size=\"12\">\(ReportRenderer.escape(name))</text>"
            svg += "<rect x=\"\(f(label))\" y=\"\(f(y + 5))\" width=\"\(f(x(ratio.value) - label))\" height=\"16\" fill=\"\(color)\"/>"
            svg += "<line x1=\"\(f(x(ratio.low)))\" x2=\"\(f(x(ratio.high)))\" y1=\"\(f(y + 13))\" y2=\"\(f(y + 13))\" stroke=\"#1a202c\" stroke-width=\"2\"/>"
            for end in [ratio.low, ratio.high] {
                svg += "<line x1=\"\(f(x(end)))\" x2=\"\(f(x(end)))\" y1=\"\(f(y + 7))\" y2=\"\(f(y + 19))\" stroke=\"#1a202c\" stroke-width=\"2\"/>"
            }
            svg += "<text x=\"\(f(x(ratio.high) + 6))\" y=\"\(f(y + 17))\" font-size=\"11\">\(String(format: "%.3fx", ratio.value))</text>"
        }
        let one = x(1)
        svg += "<line x1=\"\(f(one))\" x2=\"\(f(one))\" y1=\"0\" y2=\"\(Int(Double(rows.count) * row + 6))\" stroke=\"#4a5568\" stroke-dasharray=\"4 3\"/>"
        svg += "<text x=\"\(f(one - 24))\" y=\"\(Int(Double(rows.count) * row + 22))\" font-size=\"11\">1.0x = \(ReportRenderer.escape(result.reference))</text>"
        return svg + "</svg>"
    }

    public static func html(_ result: TuneResult) -> String {
        let markdown = markdown(result).split(separator: "\n").map(String.init)
        let tableLines = markdown.filter { $0.hasPrefix("|") && !$0.hasPrefix("|---") }
        let cells = tableLines.map { line in line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) } }
        var body = "<h1>temper tune: \(ReportRenderer.escape(result.profile))</h1>"
        body += "<p>Workload <code>\(ReportRenderer.escape(result.workload))</code>, \(result.rounds) interleaved rounds; bars are median time ratios against <b>\(ReportRenderer.escape(result.reference))</b>, whiskers the 95% bootstrap interval (green: faster, red: slower, grey: undecided).</p>"
        body += ratioChart(result)
        if let header = cells.first {
            body += ReportRenderer.table(header, Array(cells.dropFirst()))
        }
        for line in markdown where line.hasPrefix("A/A") || line.hasPrefix("Hardware") {
            body += "<p>\(ReportRenderer.escape(line))</p>"
        }
        body += "<p><b>Decision: \(ReportRenderer.escape(result.decision.variant))</b> — \(ReportRenderer.escape(result.decision.reason)). Pinned in <code>\(ReportRenderer.escape(result.decision.file))</code>.</p>"
        let style = "body{font-family:system-ui,sans-serif;margin:2em;color:#1a202c;max-width:1000px}table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #cbd5e0;padding:3px 8px;font-size:12px;text-align:left}th{background:#edf2f7}svg{display:block;margin:.5em 0}"
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>temper tune: \(ReportRenderer.escape(result.profile))</title><style>\(style)</style></head><body>\(body)</body></html>\n"
    }
}
