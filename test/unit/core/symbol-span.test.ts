/**
 * The simple symbol resolver behind contract drift: a real source fixture per language it
 * reads, with a class and its methods, nested functions, look-alikes that are not
 * declarations (calls, strings, comments), a symbol at the end of the file, a block left open.
 */
import assert from 'node:assert/strict';
import { symbolLanguage, symbolSpan, type SymbolLanguage } from '../../../src/core/symbol-span';

const lines = (text: string, symbol: string, lang: SymbolLanguage) => {
  const s = symbolSpan(text, symbol, lang);
  return s && [s.startLine, s.endLine];
};

const ts = `import { x } from './x';

export class AuthService {
  private token = '}';

  constructor(private readonly store: Store) {}

  async refresh(user: User): Promise<Token> {
    const text = "{ not a block";
    // } nor this
    return this.store.renew(user, () => {
      return x;
    });
  }

  logout(): void {
    refresh();
  }
}

export interface Api {
  refresh(user: User): Promise<Token>;
  logout(): void;
}

export type Token = string;

export const parseConfig = (raw: string) => {
  return JSON.parse(raw);
};

function outer() {
  function inner() {
    return 1;
  }
  return inner();
}
`;

const py = `import os

class AuthService:
    """Signs users in."""

    def __init__(self, store):
        self.store = store

    async def refresh(self, user,
            force=False):
        if force:
            return self.store.renew(user)

        return None

    def logout(self):
        self.refresh(None)


def parse_config(raw):
    def inner(x):
        return x
    return inner(raw)
`;

const go = `package auth

type Server struct {
	store Store
}

func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {
	if r == nil {
		return
	}
	s.store.Touch("}")
}

func ParseConfig(raw string) (Config, error) {
	return Config{}, nil
}
`;

const rust = `use std::fmt;

pub struct Server<'a> {
    name: &'a str,
}

impl<'a> Server<'a> {
    pub fn handle(&self, c: char) -> bool {
        if c == '{' {
            return true;
        }
        false
    }

    fn other(&self) {}
}

pub async fn parse_config(raw: &str) -> Config {
    Config::default()
}
`;

const java = `package auth;

public class AuthService {
    private final Store store;

    public AuthService(Store store) {
        this.store = store;
    }

    public Token refresh(User user) throws IOException {
        if (user == null) {
            return refresh(User.anonymous());
        }
        return store.renew(user);
    }
}

interface Api {
    Token refresh(User user);
}
`;

describe('core/symbol-span', () => {
  it('knows the languages it reads by extension', () => {
    assert.deepEqual(['a.ts', 'b.tsx', 'c.mjs', 'd.py', 'e.go', 'f.rs', 'G.java', 'h.c', 'Makefile'].map(symbolLanguage),
      ['ts', 'ts', 'ts', 'python', 'go', 'rust', 'java', null, null]);
  });

  describe('TypeScript and JavaScript', () => {
    it('a class, its methods by dotted name, past braces in strings and comments', () => {
      assert.deepEqual(lines(ts, 'AuthService', 'ts'), [3, 19]);
      assert.deepEqual(lines(ts, 'AuthService.refresh', 'ts'), [8, 14]);
      assert.deepEqual(lines(ts, 'AuthService.logout', 'ts'), [16, 18], 'the call refresh() inside it is not a declaration');
      assert.deepEqual(lines(ts, 'AuthService.constructor', 'ts'), [6, 6]);
    });

    it('an interface member, a type alias, an arrow function, nested functions', () => {
      assert.deepEqual(lines(ts, 'Api.refresh', 'ts'), [22, 22]);
      assert.deepEqual(lines(ts, 'Token', 'ts'), [26, 26]);
      assert.deepEqual(lines(ts, 'parseConfig', 'ts'), [28, 30]);
      assert.deepEqual(lines(ts, 'outer.inner', 'ts'), [33, 35]);
      assert.deepEqual(lines(ts, 'outer', 'ts'), [32, 37]);
    });

    it('the first declaration wins; a member outside its container is not found', () => {
      assert.deepEqual(lines(ts, 'refresh', 'ts'), [8, 14]);
      assert.equal(symbolSpan(ts, 'Api.store', 'ts'), null);
      assert.equal(symbolSpan(ts, 'missing', 'ts'), null);
      assert.equal(symbolSpan(ts, 'a b', 'ts'), null, 'not a name');
    });

    it('a symbol moved to the end of the file is found there', () => {
      const moved = ts.replace(/export const parseConfig[\s\S]*?};\n/, '') + 'export function parseConfig(raw: string) {\n  return raw;\n}\n';
      const n = moved.split('\n').length;
      assert.deepEqual(lines(moved, 'parseConfig', 'ts'), [n - 3, n - 1]);
    });

    it('a block left open (a syntax error) runs to the end of the file', () => {
      const broken = 'function open() {\n  if (x) {\n  return 1;\n\nconst y = 2;\n';
      assert.deepEqual(lines(broken, 'open', 'ts'), [1, 6]);
    });
  });

  it('Python: by indentation, a header over two lines, nested functions', () => {
    assert.deepEqual(lines(py, 'AuthService', 'python'), [3, 17]);
    assert.deepEqual(lines(py, 'AuthService.refresh', 'python'), [9, 14], 'the blank line inside counts; the one after does not');
    assert.deepEqual(lines(py, 'AuthService.logout', 'python'), [16, 17]);
    assert.deepEqual(lines(py, 'parse_config', 'python'), [20, 23]);
    assert.deepEqual(lines(py, 'parse_config.inner', 'python'), [21, 22]);
    assert.equal(symbolSpan(py, 'AuthService.parse_config', 'python'), null);
  });

  it('Go: a method by its receiver type, a function, a type', () => {
    assert.deepEqual(lines(go, 'Server.Handle', 'go'), [7, 12]);
    assert.deepEqual(lines(go, 'Handle', 'go'), [7, 12]);
    assert.deepEqual(lines(go, 'ParseConfig', 'go'), [14, 16]);
    assert.deepEqual(lines(go, 'Server', 'go'), [3, 5]);
  });

  it('Rust: an impl block and its methods, past lifetimes and char literals', () => {
    assert.deepEqual(lines(rust, 'Server', 'rust'), [3, 5]);
    assert.deepEqual(lines(rust, 'Server.handle', 'rust'), [8, 13], 'the struct has no handle: the impl does, found in turn');
    assert.deepEqual(lines(rust, 'parse_config', 'rust'), [18, 20]);
    assert.deepEqual(lines(rust, 'other', 'rust'), [15, 15]);
  });

  it('Java: a class, its constructor and method, an interface method; a recursive call is not a declaration', () => {
    assert.deepEqual(lines(java, 'AuthService', 'java'), [3, 16]);
    assert.deepEqual(lines(java, 'AuthService.AuthService', 'java'), [6, 8]);
    assert.deepEqual(lines(java, 'AuthService.refresh', 'java'), [10, 15]);
    assert.deepEqual(lines(java, 'Api.refresh', 'java'), [19, 19]);
  });
});
