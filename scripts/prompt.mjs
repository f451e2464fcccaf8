import { createInterface } from 'node:readline'

/**
 * Prints the message and exits with status 1.
 * @param {string} message
 * @returns {never}
 */
export function fail(message) {
  console.error(message)
  process.exit(1)
}

/**
 * Reads a line from the terminal without echoing it.
 * @param {string} question
 * @param {string} variable the environment variable that can give it instead
 * @returns {Promise<string>}
 */
export function promptHidden(question, variable) {
  if (!process.stdin.isTTY) fail(`No terminal to ask for the password: set ${variable}.`)
  return new Promise((resolve) => {
    // readline echoes through _writeToOutput, which it does not declare; replacing it hides the answer.
    const rl = /** @type {import('node:readline').Interface & { _writeToOutput: (text: string) => void }} */ (
      createInterface({ input: process.stdin, output: process.stdout, terminal: true })
    )
    rl._writeToOutput = (text) => process.stdout.write(text.startsWith(question) ? question : '')
    rl.question(question, (answer) => {
      rl.close()
      process.stdout.write('\n')
      resolve(answer)
    })
  })
}

