import Foundation

/// `tune.md`: the matrix as a table people read, with the A/A row and the decision.
public enum TuneRenderer {
    public static func markdown(_ result: TuneResult) -> String {
        var lines = ["# temper tune: \(result.profile)", ""]
        lines.append("Workload `\(result.workload)`, \(result.rounds) interleaved rounds (\(Int(result.measuringSeconds)) s measuring, \(Int(result.buildSeconds)) s building, budget \(Int(result.budgetSeconds)) s); reference `\(result.reference)`. "
            + (result.decided ? "Every comparison was decided." : "Some comparisons stayed undecided when the budget ended: they are reported as undecided, never as wins."))
        lines.append("")
        let reference = result.variants.first { $0.name == result.reference }?.counters?.first
        func change(_ value: Int?, _ base: Int?) -> String {
            guard let value, let base, base > 0 else { return value.map(String.init) ?? "-" }
            return value == base ? "\(value)" : String(format: "%d (%+.1f%%)", value, 100 * Double(value - base) / Double(base))
        }
        lines.append("| variant | settings | verdict | time vs reference (95% CI) | median s | instructions | I1 misses | LLi misses | mispredicts | size KB |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for variant in result.variants {
            let counters = variant.counters?.first
            let ratio = variant.ratio.map { String(format: "%.3fx [%.3f, %.3f]", $0.value, $0.low, $0.high) } ?? (variant.name == result.reference ? "1.000 (reference)" : "-")
            let verdict = variant.failure.map { "not measured: \($0.split(separator: "\n").first ?? "")" } ?? variant.verdict?.rawValue ?? (variant.name == result.reference ? "reference" : "-")
            let noisy = variant.counters?.noisy == true ? String(format: " (noisy, %.2f%% apart)", 100 * (variant.counters?.spread ?? 0)) : ""
            lines.append("| \(variant.name) | \(variant.overrides) | \(verdict) | \(ratio) | \(variant.medianSeconds.map { String(format: "%.4f", $0) } ?? "-") | \(change(counters?.instructions, reference?.instructions))\(noisy) | \(change(counters?.i1Misses, reference?.i1Misses)) | \(change(counters?.lliMisses, reference?.lliMisses)) | \(change(counters?.branchMispredicts, reference?.branchMispredicts)) | \(variant.bytes.map { String(format: "%.1f", Double($0) / 1024) } ?? "-") |")
        }
        if let aa = result.aa {
            lines.append("")
            lines.append(String(format: "A/A calibration (the reference against an identical copy): %.3fx [%.3f, %.3f]%@.", aa.value, aa.low, aa.high, aa.falseAlarm ? " — a false alarm: this machine's noise exceeds the interval, read the ratios with care" : ", containing 1.0 as it should"))
        }
        lines.append("")
        lines.append("Hardware counters: \(result.hardwareCounters).")
        lines.append("")
        lines.append("**Decision: \(result.decision.variant)** — \(result.decision.reason). Pinned in `\(result.decision.file)`; apply it with `temper run PROFILE --decision \(result.decision.file)`.")
        return lines.joined(separator: "\n") + "\n"
    }
}
