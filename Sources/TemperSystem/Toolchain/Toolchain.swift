import TemperModel
import Foundation

/// A coherent set of tools from one compiler release: every profile-data and LTO tool must come
/// from the compiler's own release, or profiles and bitcode fail to read. For clang that is one
/// LLVM (clang, llvm-profdata, llvm-ar, llvm-ranlib, ld.lld); for GCC one GCC (gcc, g++,
/// gcov-tool, gcov-dump, with gcc-ar and gcc-ranlib for LTO) and the system linker.
public struct Toolchain: Sendable, Equatable {
    public var family: CompilerFamily
    /// Where the set was taken from, and why (for messages and reports).
    public var directory: String
    public var origin: String
    public var cc: Tool
    public var cxx: Tool
    /// llvm-profdata (clang) or gcov-tool (gcc): merges raw profiles.
    public var profdata: Tool
    public var ar: Tool
    public var ranlib: Tool
    public var linker: Tool
    /// gcov-dump (gcc only): reads merged counters for the report.
    public var profileDump: Tool?

    public init(
        family: CompilerFamily, directory: String, origin: String, cc: Tool, cxx: Tool, profdata: Tool,
        ar: Tool, ranlib: Tool, linker: Tool, profileDump: Tool? = nil
    ) {
        self.family = family
        self.directory = directory
        self.origin = origin
        self.cc = cc
        self.cxx = cxx
        self.profdata = profdata
        self.ar = ar
        self.ranlib = ranlib
        self.linker = linker
        self.profileDump = profileDump
    }

    public var tools: [Tool] { [cc, cxx, profdata, ar, ranlib, linker] + [profileDump].compactMap { $0 } }

    /// Tools that must share the compiler's major version. GNU ar, ranlib and ld report the
    /// binutils version, which is unrelated to GCC's.
    public var versionLockedTools: [Tool] {
        family == .clang ? tools : [cc, cxx, profdata] + [profileDump].compactMap { $0 }
    }

    /// Paths and versions of every tool: part of every stage's fingerprint.
    public var identity: String {
        tools.map { "\($0.role)=\($0.path)@\($0.version)" }.joined(separator: "\n")
    }

    /// "LLVM 22.1.8" or "GCC 12.2.0", for messages.
    public var summary: String { "\(family == .clang ? "LLVM" : "GCC") \(cc.version)" }

    public var fingerprint: String {
        FileDigest.sha256(of: Data(identity.utf8))
    }
}
