/// Job ids and ARNs in Bedrock's shape: 12 lower-case letters and digits at the end of
/// `arn:aws:bedrock:<region>:<account>:model-invocation-job/<id>`.
public enum BatchJobID {
    /// The account the gateway's ARNs name (the control-plane listings use the same).
    public static let account = "000000000000"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    public static func arn(region: String, id: String) -> String {
        "arn:aws:bedrock:\(region):\(account):model-invocation-job/\(id)"
    }

    /// The region as boto3 signs it, or us-east-1 when it does not fit an ARN.
    public static func region(_ raw: String) -> String {
        let ok = !raw.isEmpty && raw.count <= 20 && raw.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" }
        return ok ? raw : "us-east-1"
    }
}
