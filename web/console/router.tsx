// A history-API router for the console's paths under /console/ (the Worker answers any of them
// with this page, so reloads and shared links work).
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export const BASE = '/console/'

/**
 * Goes to an address in the console. `replace` rewrites the current history entry instead of adding
 * one (a search being typed is one entry, not one per key).
 */
export function navigate(path: string, { replace = false } = {}) {
  if (path === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  dispatchEvent(new PopStateEvent('popstate'))
}

/** A part of the address, following navigate() and the browser's back and forward. */
function useAddress(read: () => string): string {
  const [value, setValue] = useState(read)
  useEffect(() => {
    const follow = () => setValue(read())
    addEventListener('popstate', follow)
    return () => removeEventListener('popstate', follow)
  }, [])
  return value
}

/** The current path. */
export const usePath = () => useAddress(() => location.pathname)

/** The current query string (with its `?`), where list views keep their filters, ordering and page. */
export const useSearch = () => useAddress(() => location.search)

interface LinkProps {
  href: string
  children: ComponentChildren
  current?: boolean
}

/** A real link (open in a new tab works) that navigates in place on a plain click. */
export function Link({ href, children, current }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(href)
  }
  return (
    <a href={href} onClick={onClick} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  )
}
