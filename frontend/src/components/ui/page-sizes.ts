/** The page sizes a list offers (the API takes 1–100). */
export const PAGE_SIZES = [10, 25, 50, 100] as const;
