import TemperModel
import TemperSystem
import TemperExecution
/// BOLT's optimization flags: policy, so it lives with the stages (the doctor's probe uses
/// the same set), not with the tools.
public enum BoltFlags {
    /// Default optimization flags by BOLT major, after the set LLVM's own build uses
    /// (see docs/bolt.md for the reason behind each). `-icf` is left out: `-icf=1` crashed
    /// CPython (gh-148832) and is deprecated in BOLT 22. `-no-huge-pages`: by default BOLT
    /// aligns the new text segment to 2 MB for huge pages, which only pays with `-hugify`, and
    /// pads the file to match (the demo's 138 KB binary became 4.3 MB; 95 KB with the flag).
    public static func defaults(for tools: BoltTools) -> [String] {
        let major = tools.bolt?.major ?? 22
        let functionOrder = major >= 18 ? "-reorder-functions=cdsort" : "-reorder-functions=hfsort+"
        // No `-use-gnu-stack`: with LLVM 22 it drops PT_GNU_STACK (LLVM issue 174191), and a
        // loader then assumes an executable stack.
        return ["-reorder-blocks=ext-tsp", functionOrder, "-split-functions", "-split-all-cold", "-split-eh", "-update-debug-sections", "-no-huge-pages"]
    }

    /// CPython 3.13's `BOLT_APPLY_FLAGS` as its configure.ac sets them by default (3.13.5,
    /// read from the source): `BOLT_COMMON_FLAGS` (debug sections, and the functions with
    /// computed gotos skipped) and the list Pyston's flags became, `-icf=1` and
    /// `-use-gnu-stack` included.
    public static let cpython313 = [
        "-update-debug-sections", "-skip-funcs=_PyEval_EvalFrameDefault,sre_ucs1_match/1,sre_ucs2_match/1,sre_ucs4_match/1",
        "-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-icf=1", "-inline-all", "-split-eh",
        "-reorder-functions-use-hot-size", "-peepholes=none", "-jump-tables=aggressive", "-inline-ap", "-indirect-call-promotion=all",
        "-dyno-stats", "-use-gnu-stack", "-frame-opt=hot",
    ]

    /// python-build-standalone's: CPython's list with cdsplit function splitting, `-icf=safe`
    /// (not the deprecated `-icf=1`) and without `-use-gnu-stack`, which drops PT_GNU_STACK
    /// with LLVM 22 (LLVM issue 174191).
    public static let pythonBuildStandalone = [
        "-update-debug-sections", "-skip-funcs=_PyEval_EvalFrameDefault,sre_ucs1_match/1,sre_ucs2_match/1,sre_ucs4_match/1",
        "-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-split-strategy=cdsplit", "-icf=safe", "-inline-all",
        "-split-eh", "-reorder-functions-use-hot-size", "-peepholes=none", "-jump-tables=aggressive", "-inline-ap",
        "-indirect-call-promotion=all", "-dyno-stats", "-frame-opt=hot",
    ]

    /// The published flag sets temper ships, by the name `[tune]` and `[bolt.candidates]` use.
    public static let published: [String: [String]] = ["cpython-3.13": cpython313, "python-build-standalone": pythonBuildStandalone]
}
