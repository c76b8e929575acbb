export declare function unindented(lines: string[], file: string): { text: string[]; shifts: number[] };
