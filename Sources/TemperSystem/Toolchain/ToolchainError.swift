import TemperModel
/// Toolchain problems, found before anything is built. All map to exit status 3.
public enum ToolchainError: Error, CustomStringConvertible, Equatable {
    case notFound(searched: [String])
    case missingTool(role: String, name: String, directory: String, package: String?)
    case unreadableVersion(role: String, path: String, output: String)
    case mixedVersions(compiler: Tool, mismatched: [Tool])
    case probesFailed(summary: String)
    /// The compiler launcher (`--launcher`, `[build] launcher`) is not an executable.
    case missingLauncher(name: String, package: String?)
    /// A profile bundle holds an indexed profile newer than this toolchain's llvm-profdata reads.
    case profileFormat(bundle: String, bundleVersion: Int, bundleLLVM: String, toolchainVersion: Int?, toolchain: String, output: String)

    public var description: String {
        switch self {
        case .notFound(let searched):
            return "no toolchain was found (looked in: \(searched.joined(separator: ", "))). "
                + "Install one with `Scripts/install-toolchain.sh 22`, or pass `--llvm-bin DIR`."
        case .missingTool(let role, let name, let directory, let package):
            let fix = package.map { "Install it: `\(ToolchainAdvice.install([$0]))` (Scripts/install-toolchain.sh installs a complete LLVM set)" }
                ?? "Install the full set with `Scripts/install-toolchain.sh N`"
            return "the toolchain in \(directory) has no \(name) (\(role)); temper takes every tool from one release. \(fix), or pass `--llvm-bin` with a complete directory."
        case .unreadableVersion(let role, let path, let output):
            return "cannot tell the version of \(role) \(path) from its `--version` output: \(output.prefix(200))"
        case .mixedVersions(let compiler, let mismatched):
            let list = mismatched.map { "\($0.role) \($0.path) is version \($0.version) (major \($0.major))" }
            let family = compiler.name.contains("gcc") ? "GCC" : "LLVM"
            let fix = family == "LLVM"
                ? "Use one LLVM's directory, e.g. `--llvm-bin /usr/lib/llvm-\(compiler.major)/bin`."
                : "Install the tools of GCC \(compiler.major): `\(ToolchainAdvice.install(["gcc-\(compiler.major)", "g++-\(compiler.major)"]))`."
            return "mixed \(family) versions: the compiler \(compiler.path) is \(family) \(compiler.version) (major \(compiler.major)), but "
                + list.joined(separator: "; ").replacingOccurrences(of: "is version", with: "is \(family)")
                + ". Profiles and LTO objects only read back with tools of the same major. " + fix
        case .missingLauncher(let name, let package):
            let fix = package.map { "Install it (`\(ToolchainAdvice.install([$0]))`; Scripts/install-toolchain.sh installs ccache), or give its path" } ?? "Give its path"
            return "the compiler launcher `\(name)` is not an executable file\(name.contains("/") ? "" : " on PATH"). \(fix), or leave `--launcher` / `[build] launcher` out."
        case .probesFailed(let summary):
            return "the toolchain failed its probes (run `temper doctor` for details):\n\(summary)"
        case .profileFormat(let bundle, let bundleVersion, let bundleLLVM, let toolchainVersion, let toolchain, let output):
            let major = bundleLLVM.split(separator: ".").first.map(String.init) ?? bundleLLVM
            let own = toolchainVersion.map { "writes and reads format version \($0) at most" } ?? "cannot read it"
            return "the bundle \(bundle) holds an indexed profile of format version \(bundleVersion) (written by LLVM \(bundleLLVM)), but this toolchain (\(toolchain)) \(own): llvm-profdata said `\(output.prefix(300))`. "
                + "Build with LLVM \(major) or newer (`--llvm-bin /usr/lib/llvm-N/bin`), or export the bundle again with this toolchain."
        }
    }
}


extension ToolchainError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.toolchain }
}
