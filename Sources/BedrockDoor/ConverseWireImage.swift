import SwitchyardModel

/// `{"format": "png", "source": {"bytes": "<base64>"}}`
struct ConverseWireImage: Decodable {
    let value: ImagePart

    static let formats = ImageFormat.allCases.map { ($0.rawValue, $0) }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConverseWireKey.self)
        let format = try c.oneOf("format", Self.formats)
        let source = try c.nestedContainer(keyedBy: ConverseWireKey.self, forKey: "source")
        let member = try source.unionMember("an image source")
        switch member.stringValue {
        case "bytes": value = ImagePart(format: format, data: try source.base64(member))
        case "s3Location": throw source.unsupported(member, "an S3 image source (send the bytes inline)")
        default: throw source.failure(member, "unknown image source member")
        }
    }
}
