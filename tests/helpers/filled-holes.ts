/** Background pixels the image border cannot reach (8-connected) set to 1: a mask with its holes filled. */
export function filledHoles(mask: ArrayLike<number>, width: number, height: number): Uint8Array {
  const outside = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let x = 0; x < width; x++) stack.push(x, (height - 1) * width + x);
  for (let y = 0; y < height; y++) stack.push(y * width, y * width + width - 1);
  while (stack.length > 0) {
    const k = stack.pop() as number;
    if (outside[k] || mask[k]) continue;
    outside[k] = 1;
    const x = k % width;
    const y = (k - x) / width;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++)
        if (x + dx >= 0 && y + dy >= 0 && x + dx < width && y + dy < height) stack.push((y + dy) * width + x + dx);
  }
  return Uint8Array.from(outside, (v) => 1 - v);
}
