enum _S3DoorPlaceholder {}
