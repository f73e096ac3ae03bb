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
        return ["-reorder-blocks=ext-tsp", functionOrder, "-split-functions", "-split-all-cold", "-split-eh", "-use-gnu-stack", "-update-debug-sections", "-no-huge-pages"]
    }
}
