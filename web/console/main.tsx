import './console.css'
document.getElementById('root')!.textContent = 'hi'
