import Crypto
import Foundation

/// A coherent set of tools from one LLVM: every profile-data and LTO tool must come from the
/// compiler's own release, or profiles and bitcode fail to read (see docs/toolchain.md).
public struct Toolchain: Sendable, Equatable {
    public var family: CompilerFamily
    /// Where the set was taken from, and why (for messages and reports).
    public var directory: String
    public var origin: String
    public var cc: Tool
    public var cxx: Tool
    public var profdata: Tool
    public var ar: Tool
    public var ranlib: Tool
    public var linker: Tool

    public var tools: [Tool] { [cc, cxx, profdata, ar, ranlib, linker] }

    /// Paths and versions of every tool: part of every stage's fingerprint.
    public var identity: String {
        tools.map { "\($0.role)=\($0.path)@\($0.version)" }.joined(separator: "\n")
    }

    public var fingerprint: String {
        SHA256.hash(data: Data(identity.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
