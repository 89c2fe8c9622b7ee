import Crypto
import Foundation

/// Seals virtual-key secrets with AES-GCM under the gateway's master key, so a copy of the database alone reveals
/// none. The key id is the associated data: a sealed secret moved to another row does not open.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    public init(masterKey: SymmetricKey) {
        self.key = masterKey
    }

    /// `SWITCHYARD_MASTER_KEY` (base64 of 32 bytes, or any other text, which is hashed to 32 bytes) when set;
    /// otherwise `<dataDir>/master.key`, created with 32 random bytes and mode 0600 on first start.
    public static func load(environment: [String: String], dataDir: String) throws -> SecretBox {
        if let text = environment["SWITCHYARD_MASTER_KEY"], !text.isEmpty {
            if let raw = Data(base64Encoded: text), raw.count == 32 { return SecretBox(masterKey: SymmetricKey(data: raw)) }
            return SecretBox(masterKey: SymmetricKey(data: SHA256.hash(data: Data(text.utf8))))
        }
        let path = (dataDir as NSString).appendingPathComponent("master.key")
        if let raw = FileManager.default.contents(atPath: path) {
            guard raw.count == 32 else { throw SecretBoxError.badKeyFile(path) }
            return SecretBox(masterKey: SymmetricKey(data: raw))
        }
        let fresh = SymmetricKey(size: .bits256)
        let bytes = fresh.withUnsafeBytes { Data($0) }
        // Created 0600 from the first byte: a later chmod would leave a moment in which others could read it.
        guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw SecretBoxError.cannotWrite(path)
        }
        return SecretBox(masterKey: fresh)
    }

    public func seal(_ secret: String, keyId: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(keyId.utf8))
        guard let combined = box.combined else { throw SecretBoxError.cannotSeal }
        return [UInt8](combined)
    }

    public func open(_ sealed: [UInt8], keyId: String) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return String(decoding: try AES.GCM.open(box, using: key, authenticating: Data(keyId.utf8)), as: UTF8.self)
        } catch {
            throw SecretBoxError.cannotOpen(keyId: keyId)
        }
    }
}

public enum SecretBoxError: Error, CustomStringConvertible {
    case badKeyFile(String)
    case cannotWrite(String)
    case cannotSeal
    case cannotOpen(keyId: String)

    public var description: String {
        switch self {
        case .badKeyFile(let path): "the master key file \(path) does not hold 32 bytes"
        case .cannotWrite(let path): "the master key file \(path) could not be created"
        case .cannotSeal: "a secret could not be sealed"
        case .cannotOpen(let keyId):
            "the secret of virtual key \(keyId) does not open with this master key (was SWITCHYARD_MASTER_KEY or master.key changed?)"
        }
    }
}
