import TemperModel
/// Which Debian/Ubuntu package provides a tool, so that messages can say what to install.
/// The names match Scripts/install-toolchain.sh (and apt.llvm.org, which uses the same ones).
public enum ToolchainAdvice {
    public static func package(for tool: String, major: Int) -> String? {
        let name = tool.split(separator: "/").last.map(String.init) ?? tool
        let base = name.replacingOccurrences(of: "-\(major)", with: "")
        switch base {
        case "clang", "clang++": return "clang-\(major)"
        case "ld.lld": return "lld-\(major)"
        case "llvm-profdata", "llvm-ar", "llvm-ranlib": return "llvm-\(major)"
        case "llvm-bolt", "merge-fdata", "perf2bolt": return "bolt-\(major)"
        case "profile-runtime": return "libclang-rt-\(major)-dev"
        case "gcc", "gcc-ar", "gcc-ranlib", "gcov-tool", "gcov-dump": return "gcc-\(major)"
        case "g++": return "g++-\(major)"
        case "perf": return "linux-perf"
        default: return nil
        }
    }

    public static func install(_ packages: [String]) -> String {
        "apt-get install --no-install-recommends " + packages.joined(separator: " ")
    }
}
