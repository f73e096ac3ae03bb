import TemperModel
import Foundation

/// How `temper tune` chooses, once, from what it measured. A variant replaces the reference
/// when its wall time is lower with 95% confidence; or, for a layout optimization (BOLT),
/// when its wall time is not higher with 95% confidence and cachegrind's deterministic
/// i-cache figures show the layout at work: simulated I1 misses down by at least 10% (and by
/// more than ten times the two counts' own spread), branch mispredictions up by at most 5%.
/// Instruction counts alone never reject a layout candidate.
///
/// What ships is never less hardened than the plain build: a variant without PIE is chosen
/// only when the reference is without PIE too, or the profile accepts it explicitly
/// (`[tune] accept_non_pie = true`, said in the reason). A build without PIE and without BOLT
/// is never chosen: it gains nothing BOLT needs it for.
public enum TuneDecisionRule {
    public static let iCacheGain = 0.10
    public static let mispredictTolerance = 0.05
    /// A layout gain must exceed this many times the spread between the two counts.
    public static let noiseMargin = 10.0

    public static let text = "faster with 95% confidence; or, for BOLT, not slower with 95% confidence and simulated I1 misses -10% or more with branch mispredictions +5% at most; never less hardened than the reference unless accepted; else the reference"

    public static func decide(_ variants: [TuneResult.Variant], reference: String, acceptNonPIE: Bool = false) -> (variant: String, reason: String) {
        let referencePIE = variants.first { $0.name == reference }?.settings.isPIE ?? true
        func measured(_ variant: TuneResult.Variant) -> Bool {
            variant.built && variant.name != reference && !variant.samples.isEmpty && !(variant.settings.bolt == nil && !variant.settings.isPIE)
        }
        /// As hardened as the reference (PIE when it is), or accepted.
        func hardenedEnough(_ variant: TuneResult.Variant) -> Bool { variant.settings.isPIE || !referencePIE || acceptNonPIE }
        let accepted = acceptNonPIE && referencePIE
        func interval(_ ratio: RatioInterval) -> String { String(format: "%.3fx [95%% CI %.3f, %.3f]", ratio.value, ratio.low, ratio.high) }
        func acceptance(_ variant: TuneResult.Variant) -> String {
            accepted && !variant.settings.isPIE ? "; built without PIE, which [tune] accept_non_pie accepts" : ""
        }

        let faster = variants.filter { measured($0) && $0.verdict == .faster }.sorted { ($0.ratio?.value ?? 1, $0.name) < ($1.ratio?.value ?? 1, $1.name) }
        if let best = faster.first(where: hardenedEnough), let ratio = best.ratio {
            return (best.name, "\(best.name) ran the workload in \(interval(ratio)) the time of \(reference): faster with 95% confidence" + acceptance(best))
        }
        var layout: [TuneResult.Variant] = []
        let base = variants.first { $0.name == reference }?.counters
        if let base, base.first.i1Misses > 0 {
            layout = variants.filter { variant in
                guard measured(variant), variant.settings.bolt != nil, variant.verdict == .undecided, let counters = variant.counters else { return false }
                let i1 = Double(counters.first.i1Misses) / Double(base.first.i1Misses)
                let mispredicts = base.first.branchMispredicts > 0 ? Double(counters.first.branchMispredicts) / Double(base.first.branchMispredicts) : 1
                let noise = max(base.spread ?? 0, counters.spread ?? 0)
                return 1 - i1 >= iCacheGain && 1 - i1 > noiseMargin * noise && mispredicts <= 1 + mispredictTolerance
            }.sorted { ($0.counters!.first.i1Misses, $0.name) < ($1.counters!.first.i1Misses, $1.name) }
            if let best = layout.first(where: hardenedEnough), let counters = best.counters, let ratio = best.ratio {
                func change(_ new: Int, _ old: Int) -> String { old > 0 ? String(format: "%+.1f%%", 100 * Double(new - old) / Double(old)) : "n/a" }
                return (best.name, "\(best.name): wall time not decided, \(interval(ratio)), and not slower with 95% confidence; "
                    + "simulated I1 misses \(change(counters.first.i1Misses, base.first.i1Misses)), LLi misses \(change(counters.first.lliMisses, base.first.lliMisses)), "
                    + "branch mispredictions \(change(counters.first.branchMispredicts, base.first.branchMispredicts)), instructions \(change(counters.first.instructions, base.first.instructions))"
                    + acceptance(best))
            }
        }
        // Say what was left out for hardening, so a user can accept it knowingly.
        var notes: [String] = []
        let weakerNoBolt = variants.filter { $0.verdict == .faster && $0.settings.bolt == nil && !$0.settings.isPIE }.map(\.name)
        if !weakerNoBolt.isEmpty {
            notes.append("\(weakerNoBolt.joined(separator: ", ")) ran faster, but a build without PIE and without BOLT is never chosen")
        }
        let notPIE = (faster + layout).filter { !hardenedEnough($0) }.map(\.name)
        if !notPIE.isEmpty {
            notes.append("\(notPIE.joined(separator: ", ")) qualified but \(notPIE.count == 1 ? "is" : "are") built without PIE, less hardened than \(reference); set [tune] accept_non_pie = true to allow that")
        }
        return (reference, "no variant as hardened as \(reference) was faster with 95% confidence, or a BOLT layout cutting simulated I1 misses by 10% without being slower: \(reference) stays"
            + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"))
    }
}
