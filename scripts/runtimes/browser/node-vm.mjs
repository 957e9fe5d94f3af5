// Stands in for node:vm in the browser: runInNewContext evaluates code in a fresh realm, a new
// same-origin iframe, so objects it returns come from another realm as they do in Node.
export function runInNewContext(code) {
  const frame = document.createElement('iframe')
  frame.style.display = 'none'
  document.body.append(frame)
  return frame.contentWindow.eval(code)
}

export default { runInNewContext }
