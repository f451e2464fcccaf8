/** An object of the audit archive (R2) as bytes, or null when the bucket has no such key. */
export async function readArchivedObject(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
  const object = await bucket.get(key)
  return object ? new Uint8Array(await object.arrayBuffer()) : null
}
